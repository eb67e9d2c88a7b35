import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { connectClient } from '../../cli/client.js';
import { loadSettings, workerCredentialsFile } from '../../config/settings.js';
import { freePort } from '../../infra/ports.js';
import { createS3Client } from '../../store/s3.js';
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

  it('gives every command but `infra` a MinIO user limited to the bucket; root stays with infra', async () => {
    const file = workerCredentialsFile(dataDir);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const root = loadSettings(env, dataDir, { credentials: 'required', identity: 'root' });
    const worker = loadSettings(env, dataDir);
    assert.notEqual(worker.s3.accessKey, root.s3.accessKey, 'workers do not get the root user');
    const s3 = createS3Client(worker.s3);
    await s3.putObject(worker.s3.bucket, 'least-privilege/ok.txt', Buffer.from('ok'));
    assert.ok(await s3.bucketExists(worker.s3.bucket));
    await assert.rejects(s3.makeBucket('shelfssl-elsewhere'), /Access Denied/i);
    await createS3Client(root.s3).makeBucket('shelfssl-elsewhere');
    await assert.rejects(
      s3.putObject('shelfssl-elsewhere', 'x.txt', Buffer.from('x')),
      /Access Denied/i,
      'another bucket on the same MinIO is out of reach',
    );
    assert.deepEqual(
      (await s3.listBuckets()).map((b) => b.name),
      [worker.s3.bucket],
      'it does not even see the other bucket',
    );
    const again = await runCli(['infra', 'up'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /workers: MinIO user shelfssl-worker-[0-9a-f]+ limited to bucket shelfssl/);
    assert.ok(!again.stdout.includes(worker.s3.secretKey) && !again.stdout.includes(root.s3.secretKey));
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
