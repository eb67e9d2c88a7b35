import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from '@temporalio/worker';
import type { Settings } from '../../../config/settings.js';
import { settingsToEnv } from '../../../config/settings-env.js';

export interface LocalWorkers {
  stop(): Promise<void>;
}

const CLI = fileURLToPath(new URL('../../main.js', import.meta.url));

function spawnActivityWorker(settings: Settings, queue: 'cpu' | 'gpu'): ChildProcess {
  return spawn(process.execPath, [CLI, 'worker', '--queue', queue, '--role', 'activities'], {
    env: { ...process.env, ...settingsToEnv(settings) },
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
export async function startLocalWorkers(
  settings: Settings,
  extraDataRoots: readonly string[] = [],
): Promise<LocalWorkers> {
  // Loaded on use: the worker pulls in every stage (TensorFlow.js, sharp), seconds that `--help` and
  // `--no-worker` need not pay.
  const { createShelfWorker } = await import('../../../workers/worker.js');
  const own = { ...settings, dataRoots: [...new Set([...settings.dataRoots, ...extraDataRoots])] };
  const children = [spawnActivityWorker(own, 'cpu'), spawnActivityWorker(own, 'gpu')];
  const workflows: Worker = await createShelfWorker(settings, 'cpu', { role: 'workflows' });
  const running = workflows.run();
  return {
    async stop() {
      workflows.shutdown();
      await Promise.allSettled([running, ...children.map(stopChild)]);
    },
  };
}
