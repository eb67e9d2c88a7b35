import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { connectClient } from '../../cli/client.js';
import { loadSettings } from '../../config/settings.js';
import { freePort } from '../../infra/ports.js';
import { createShelfWorker } from '../../workers/worker.js';
import { smokeWorkflow } from '../../workflows/smoke.js';
import { runCli } from '../support/cli.js';

/** A user's view: `shelfssl infra up/status/down` on its own ports and data dir, no credentials given. */
describe('shelfssl infra lifecycle', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-infra-'));
  const [tPort, mPort] = [await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SHELFSSL_DATA_DIR: dataDir,
    SHELFSSL_TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`,
    SHELFSSL_TEMPORAL_UI_PORT: String(await freePort()),
    SHELFSSL_S3_PORT: String(mPort),
    SHELFSSL_MINIO_CONSOLE_PORT: String(await freePort()),
  };
  const workflowId = `restart-${randomUUID()}`;

  after(async () => {
    await runCli(['infra', 'down'], env);
  });

  it('up starts both servers, generates credentials, and is idempotent', async () => {
    const first = await runCli(['infra', 'up'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /temporal: started/);
    assert.match(first.stdout, /minio: started/);
    const creds = JSON.parse(readFileSync(path.join(dataDir, 'minio', 'credentials.json'), 'utf8'));
    assert.ok(creds.secretKey.length >= 16);
    const second = await runCli(['infra', 'up'], env);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /temporal: already running/);
    assert.match(second.stdout, /minio: already running/);
  });

  it('status reports both healthy and the UI answers', async () => {
    const status = await runCli(['infra', 'status', '--json'], env);
    assert.equal(status.code, 0, status.stderr);
    const parsed = JSON.parse(status.stdout) as { servers: { name: string; healthy: boolean }[] };
    assert.deepEqual(
      parsed.servers.map((s) => [s.name, s.healthy]),
      [
        ['temporal', true],
        ['minio', true],
      ],
    );
    const ui = await fetch(`http://127.0.0.1:${env.SHELFSSL_TEMPORAL_UI_PORT}/`);
    assert.equal(ui.status, 200);
  });

  it('a finished workflow keeps its history across a Temporal restart (same --db-filename)', async () => {
    const settings = loadSettings({ ...env, SHELFSSL_QUEUE_CPU: `restart-${randomUUID()}` });
    const worker = await createShelfWorker(settings, 'cpu');
    let conn = await connectClient(settings);
    await worker.runUntil(
      conn.client.workflow.execute(smokeWorkflow, {
        taskQueue: settings.temporal.taskQueues.cpu,
        workflowId,
        args: [{ key: 'smoke/restart-a.txt', text: 'survives restarts' }],
      }),
    );
    await conn.close();

    const down = await runCli(['infra', 'down'], env);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /temporal: (stopped|killed)/);
    const stopped = await runCli(['infra', 'status'], env);
    assert.equal(stopped.code, 1);
    assert.ok(existsSync(path.join(dataDir, 'temporal', 'temporal.db')));

    const up = await runCli(['infra', 'up'], env);
    assert.equal(up.code, 0, up.stderr);
    conn = await connectClient(settings);
    try {
      const handle = conn.client.workflow.getHandle(workflowId);
      const description = await handle.describe();
      assert.equal(description.status.name, 'COMPLETED');
      const history = await handle.fetchHistory();
      assert.ok((history.events ?? []).length >= 5);
      const result = await handle.result();
      assert.equal(result.key, 'smoke/restart-a.txt');
    } finally {
      await conn.close();
    }
  });
});
