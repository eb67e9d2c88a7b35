import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { freePort } from '../../infra/ports.js';
import { runCli } from '../support/cli.js';

describe("servers down, a wrong address, another folder's servers", () => {
  for (const args of [['status'], ['schedule', 'list'], ['run', '--detach']]) {
    it(`${args.join(' ')} against a dead address names it and says \`shelfssl infra up\``, async () => {
      const address = `127.0.0.1:${await freePort()}`;
      const r = await runCli(args, { ...process.env, SHELFSSL_TEMPORAL_ADDRESS: address });
      assert.equal(r.code, 1, r.stderr);
      assert.ok(r.stderr.includes(`cannot reach Temporal at ${address}`), r.stderr);
      assert.match(r.stderr, /shelfssl infra up.*SHELFSSL_TEMPORAL_ADDRESS/s);
      assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    });
  }

  it('infra up where another data dir\'s servers answer: no false "started", no pid file', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-other-'));
    // The harness's servers answer on the configured ports, but this data dir did not start them.
    const r = await runCli(['infra', 'up'], { ...process.env, SHELFSSL_DATA_DIR: dataDir });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.doesNotMatch(r.stdout, /temporal: started/);
    assert.ok(r.stderr.includes(`is already served by a process that data dir ${dataDir} did not start`));
    assert.equal(existsSync(path.join(dataDir, 'run', 'temporal.pid')), false);
  });
});
