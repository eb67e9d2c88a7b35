import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sdkLogFile } from '../../workers/sdk-log-path.js';
import { CLI } from '../support/cli.js';

describe("the Temporal SDK's log goes to a file, not the terminal", () => {
  it('a gpu activities worker: "No workflows registered" lands in <data dir>/logs, not on stderr', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-sdklog-'));
    const env = { ...process.env, SHELFSSL_DATA_DIR: dataDir, SHELFSSL_QUEUE_GPU: `sdklog-${Date.now()}` };
    const child = spawn(process.execPath, [CLI, 'worker', '--queue', 'gpu', '--role', 'activities'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const file = sdkLogFile(dataDir);
    for (
      let i = 0;
      i < 600 && !(existsSync(file) && /No workflows registered/.test(readFileSync(file, 'utf8')));
      i++
    )
      await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    assert.match(stdout, /worker polling sdklog-/);
    assert.match(readFileSync(file, 'utf8'), /\[WARN\] pid \d+ No workflows registered/);
    assert.doesNotMatch(stderr, /No workflows registered|\[WARN\]/, stderr);
  });
});
