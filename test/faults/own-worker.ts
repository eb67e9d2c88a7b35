import type { Client } from '@temporalio/client';
import type { StageImpl } from '../../activities/stage-types.js';
import { connectClient } from '../../cli/client.js';
import type { Settings } from '../../config/settings.js';
import { createShelfWorker } from '../../workers/worker.js';

export interface OwnWorker {
  client: Client;
  stop(): Promise<void>;
}

/**
 * An in-process cpu worker (+ client) on explicit settings: the outage tests point it at their own
 * Temporal or MinIO, which test/support/worker.ts (harness settings only) cannot.
 */
export async function startWorkerOn(settings: Settings, stages?: readonly StageImpl[]): Promise<OwnWorker> {
  const worker = await createShelfWorker(settings, 'cpu', {
    ...(stages ? { stages } : {}),
    maxConcurrentActivities: 4,
  });
  const running = worker.run();
  const { client, close } = await connectClient(settings);
  return {
    client,
    async stop() {
      worker.shutdown();
      await running;
      await close();
    },
  };
}
