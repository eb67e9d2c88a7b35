import { randomUUID } from 'node:crypto';
import { loadSettings } from '../../config/settings.js';
import { smokeWorkflow } from '../../workflows/smoke.js';
import { connectClient } from '../client.js';
import { type Command, EXIT, parseFlags } from '../command.js';

export const smokeCommand: Command = {
  name: 'smoke',
  summary: 'run a workflow that writes an object to MinIO, reads it back and verifies its sha256',
  usage: [
    'Usage: shelfssl smoke [--text TEXT]',
    '',
    'Starts an in-process cpu worker, runs the smoke workflow on the configured Temporal and MinIO, and',
    'prints the object key and its sha256 digest. Needs `shelfssl infra up` (or your own servers).',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, { text: { type: 'string' } });
    const settings = loadSettings();
    const { createShelfWorker } = await import('../../workers/worker.js');
    const worker = await createShelfWorker(settings, 'cpu');
    const { client, close } = await connectClient(settings);
    try {
      const id = `smoke-${randomUUID()}`;
      const text = values.text ?? `shelfssl smoke test ${new Date().toISOString()}`;
      const result = await worker.runUntil(
        client.workflow.execute(smokeWorkflow, {
          taskQueue: settings.temporal.taskQueues.cpu,
          workflowId: id,
          args: [{ key: `smoke/${id}.txt`, text }],
        }),
      );
      console.log(`workflow ${id} completed`);
      console.log(`object s3://${settings.s3.bucket}/${result.key} (${result.bytes} bytes)`);
      console.log(`sha256 ${result.digest}`);
      return EXIT.ok;
    } finally {
      await close();
    }
  },
};
