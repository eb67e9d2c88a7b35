import { NativeConnection, Worker } from '@temporalio/worker';
import type { StageImpl } from '../activities/stage-types.js';
import type { Settings } from '../config/settings.js';
import { temporalConnectOptions } from '../config/temporal-connection.js';
import { createS3Client, ensureBucket } from '../store/s3.js';
import { installSdkLog } from './sdk-log.js';
import { sdkLogFile } from './sdk-log-path.js';
import { prebuiltWorkflowBundle, WORKFLOWS_PATH } from './workflow-bundle.js';

export type QueueKind = 'cpu' | 'gpu';

/**
 * One worker per task queue. The cpu worker also runs workflow tasks (orchestration is cheap);
 * a gpu worker runs only the activities routed to the gpu queue.
 */

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
  installSdkLog(sdkLogFile(settings.dataDir));
  const s3 = createS3Client(settings.s3);
  await ensureBucket(s3, settings.s3);
  const connection = await NativeConnection.connect(temporalConnectOptions(settings.temporal));
  const role = opts.role ?? 'all';
  if (role === 'workflows' && queue !== 'cpu') throw new Error('workflows run on the cpu queue only');
  // Loaded only where stages run: the stages pull in TensorFlow.js and sharp, seconds a workflows-only
  // worker (the one inside `shelfssl run`) need not pay.
  const activities =
    role === 'workflows'
      ? undefined
      : await (await import('../activities/index.js')).createActivities(
          { settings, s3, bucket: settings.s3.bucket },
          opts.stages,
        );
  const runsWorkflows = queue === 'cpu' && role !== 'activities';
  const bundle = runsWorkflows ? await prebuiltWorkflowBundle() : undefined;
  return await Worker.create({
    connection,
    namespace: settings.temporal.namespace,
    taskQueue: settings.temporal.taskQueues[queue],
    ...(activities ? { activities } : {}),
    ...(runsWorkflows ? (bundle ? { workflowBundle: bundle } : { workflowsPath: WORKFLOWS_PATH }) : {}),
    maxConcurrentActivityTaskExecutions: opts.maxConcurrentActivities ?? (queue === 'gpu' ? 1 : 2),
    shutdownGraceTime: '5 seconds',
  });
}
