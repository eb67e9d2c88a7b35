import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { StageImpl } from '../../activities/stage-types.js';
import { connectClient } from '../../cli/client.js';
import type { Settings } from '../../config/settings.js';
import { createShelfWorker } from '../../workers/worker.js';
import { testSettings } from './env.js';

export interface RunningWorker {
  settings: Settings;
  client: Client;
  worker: Worker;
  stop(): Promise<void>;
}

/** An in-process cpu worker on private task queues, running until stop(). */
export async function startTestWorker(
  label: string,
  stages?: readonly StageImpl[],
  opts: { gpuQueue?: boolean } = {},
): Promise<RunningWorker> {
  const settings = testSettings(label);
  const worker = await createShelfWorker(settings, 'cpu', {
    ...(stages ? { stages } : {}),
    maxConcurrentActivities: 4,
  });
  // The paper pipeline routes pretrain/features to the gpu queue: a local run needs a worker there too.
  const gpu = opts.gpuQueue ? await createShelfWorker(settings, 'gpu', stages ? { stages } : {}) : undefined;
  const running = Promise.all([worker.run(), gpu?.run()]);
  const { client, close } = await connectClient(settings);
  return {
    settings,
    client,
    worker,
    async stop() {
      worker.shutdown();
      gpu?.shutdown();
      await running;
      await close();
    },
  };
}
