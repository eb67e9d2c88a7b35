import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import type { StageImpl } from '../activities/stage-types.js';
import type { Settings } from '../config/settings.js';
import { temporalConnectOptions } from '../config/temporal-connection.js';
import { createS3Client, ensureBucket } from '../store/s3.js';

export type QueueKind = 'cpu' | 'gpu';

const workflowsPath = fileURLToPath(new URL('../workflows/index.js', import.meta.url));

/**
 * One worker per task queue. The cpu worker also runs workflow tasks (orchestration is cheap);
 * a gpu worker runs only the activities routed to the gpu queue.
 */
let runtimeInstalled = false;

/** The SDK logs every state change at INFO; keep workers quiet unless something is wrong. */
function installQuietRuntime(): void {
  if (runtimeInstalled) return;
  runtimeInstalled = true;
  Runtime.install({
    logger: new DefaultLogger((process.env.SHELFSSL_LOG_LEVEL as 'WARN' | undefined) ?? 'WARN'),
  });
}

export interface WorkerOptions {
  /** Stage implementations to register (default: the paper pipeline's); tests pass their own. */
  stages?: readonly StageImpl[];
  maxConcurrentActivities?: number;
  /**
   * `all` (default): workflows on the cpu queue plus the queue's activities. `workflows` / `activities`
   * split them across processes, so CPU-bound stages never delay workflow tasks or progress queries.
   */
  role?: WorkerRole;
}

export type WorkerRole = 'all' | 'workflows' | 'activities';

export async function createShelfWorker(
  settings: Settings,
  queue: QueueKind,
  opts: WorkerOptions = {},
): Promise<Worker> {
  installQuietRuntime();
  const s3 = createS3Client(settings.s3);
  await ensureBucket(s3, settings.s3);
  const connection = await NativeConnection.connect(temporalConnectOptions(settings.temporal));
  const role = opts.role ?? 'all';
  if (role === 'workflows' && queue !== 'cpu') throw new Error('workflows run on the cpu queue only');
  const activities =
    role === 'workflows'
      ? undefined
      : await createActivities({ settings, s3, bucket: settings.s3.bucket }, opts.stages);
  return await Worker.create({
    connection,
    namespace: settings.temporal.namespace,
    taskQueue: settings.temporal.taskQueues[queue],
    ...(activities ? { activities } : {}),
    ...(queue === 'cpu' && role !== 'activities' ? { workflowsPath } : {}),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? (queue === 'gpu' ? 1 : 2),
    shutdownGraceTime: '5 seconds',
  });
}
