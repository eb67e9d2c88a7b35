import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { builtNativeModuleDir, initBackend, wasmBinaryDirectory } from '../../runtime/index.js';

describe('initBackend', () => {
  it('prefers the native runtime when built, else falls back to wasm, and announces once', async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const auto = await initBackend({ log: () => {} });
    assert.equal(auto.name, builtNativeModuleDir() === undefined ? 'wasm' : 'tensorflow');
    const info = await initBackend({ log, prefer: 'wasm' });
    assert.equal(info.name, 'wasm');
    assert.equal(info.threads, 1, 'tfjs forces wasm threads off in Node');
    assert.equal(info.version, tf.version_core);
    assert.equal(tf.getBackend(), 'wasm');
    await initBackend({ log, prefer: 'wasm' });
    assert.deepEqual(lines, ['[ml] backend=wasm threads=1 tfjs=4.22.0'], 'announced once');
  });

  it('resolves the wasm binaries directory with a trailing separator', () => {
    assert.match(wasmBinaryDirectory(), /tfjs-backend-wasm[/\\]dist[/\\]$/);
  });

  it('gives cpu when asked (tests) without the fallback warning', async () => {
    const lines: string[] = [];
    const info = await initBackend({ prefer: 'cpu', log: (line) => lines.push(line) });
    assert.equal(info.name, 'cpu');
    assert.equal(tf.getBackend(), 'cpu');
    assert.ok(!lines.some((l) => l.includes('WARNING')));
    await initBackend({ prefer: 'wasm', log: () => {} });
    assert.equal(tf.getBackend(), 'wasm');
  });
});
