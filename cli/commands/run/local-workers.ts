import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from '@temporalio/worker';
import type { Settings } from '../../../config/settings.js';

export interface LocalWorkers {
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../../main.js', import.meta.url));

/** Same settings as this process, passed explicitly so a child never reads a different config. */
function settingsEnv(settings: Settings): NodeJS.ProcessEnv {
  return {
    ...process.env,
    SHELFSSL_TEMPORAL_ADDRESS: settings.temporal.address,
    SHELFSSL_TEMPORAL_NAMESPACE: settings.temporal.namespace,
    SHELFSSL_QUEUE_CPU: settings.temporal.taskQueues.cpu,
    SHELFSSL_QUEUE_GPU: settings.temporal.taskQueues.gpu,
    SHELFSSL_S3_ENDPOINT: settings.s3.endPoint,
    SHELFSSL_S3_PORT: String(settings.s3.port),
    SHELFSSL_S3_USE_SSL: String(settings.s3.useSSL),
    SHELFSSL_S3_ACCESS_KEY: settings.s3.accessKey,
    SHELFSSL_S3_SECRET_KEY: settings.s3.secretKey,
    SHELFSSL_S3_BUCKET: settings.s3.bucket,
    SHELFSSL_S3_REGION: settings.s3.region,
    SHELFSSL_DATA_DIR: settings.dataDir,
  };
}

function spawnActivityWorker(settings: Settings, queue: 'cpu' | 'gpu'): ChildProcess {
  return spawn(process.execPath, [CLI, 'worker', '--queue', queue, '--role', 'activities'], {
    env: settingsEnv(settings),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/**
 * A local user has no other worker: `run` orchestrates in this process (workflow tasks only, so the
 * progress display stays live) and runs the stages in two child processes, one per task queue, so
 * CPU-bound training never stalls workflow tasks.
 */
export async function startLocalWorkers(settings: Settings): Promise<LocalWorkers> {
  // Loaded on use: the worker pulls in every stage (TensorFlow.js, sharp), seconds that `--help` and
  // `--no-worker` need not pay.
  const { createShelfWorker } = await import('../../../workers/worker.js');
  const children = [spawnActivityWorker(settings, 'cpu'), spawnActivityWorker(settings, 'gpu')];
  const workflows: Worker = await createShelfWorker(settings, 'cpu', { role: 'workflows' });
  const running = workflows.run();
  return {
    async stop() {
      workflows.shutdown();
      await Promise.allSettled([running, ...children.map(stopChild)]);
    },
  };
}
