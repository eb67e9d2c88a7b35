import type { Worker } from '@temporalio/worker';
import type { Settings } from '../../../config/settings.js';

export interface LocalWorkers {
  stop(): Promise<void>;
}

/**
 * A local user has no other worker: `run` polls both the cpu (workflows + cpu stages) and gpu queues in this
 * process while it waits, and stops them when the run ends.
 */
export async function startLocalWorkers(settings: Settings): Promise<LocalWorkers> {
  // Loaded on use: the worker pulls in every stage (TensorFlow.js, sharp), seconds that `--help` and
  // `--no-worker` need not pay.
  const { createShelfWorker } = await import('../../../workers/worker.js');
  const workers: Worker[] = [
    await createShelfWorker(settings, 'cpu'),
    await createShelfWorker(settings, 'gpu'),
  ];
  const running = workers.map((w) => w.run());
  return {
    async stop() {
      for (const w of workers) w.shutdown();
      await Promise.allSettled(running);
    },
  };
}
