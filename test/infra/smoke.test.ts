import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { it } from 'node:test';
import { connectClient } from '../../cli/client.js';
import { sha256 } from '../../store/digest.js';
import { createS3Client, readObject } from '../../store/s3.js';
import { createShelfWorker } from '../../workers/worker.js';
import { smokeWorkflow } from '../../workflows/smoke.js';
import { testSettings } from '../support/env.js';

it('the smoke workflow writes an object to MinIO, reads it back and returns its sha256', async () => {
  const settings = testSettings('smoke');
  const worker = await createShelfWorker(settings, 'cpu');
  const { client, close } = await connectClient(settings);
  const text = `hello shelves ${randomUUID()}`;
  const key = `smoke/${randomUUID()}.txt`;
  try {
    const result = await worker.runUntil(
      client.workflow.execute(smokeWorkflow, {
        taskQueue: settings.temporal.taskQueues.cpu,
        workflowId: `smoke-${randomUUID()}`,
        args: [{ key, text }],
      }),
    );
    assert.equal(result.digest, sha256(text));
    const stored = await readObject(createS3Client(settings.s3), settings.s3.bucket, key);
    assert.equal(stored.toString('utf8'), text);
  } finally {
    await close();
  }
});
