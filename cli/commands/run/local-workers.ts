import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Worker } from '@temporalio/worker';
import type { Settings } from '../../../config/settings.js';
import { settingsToEnv } from '../../../config/settings-env.js';
import { PAPER_STAGES } from '../../../pipelines/stages.js';
import type { NodeState } from '../../../workflows/run-state.js';

export interface LocalWorkers {
  /** Starts the gpu queue's worker process if it is not running yet (called when a gpu stage is due). */
  ensureGpu(): void;
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
 * A local user has no other worker: `run` orchestrates in this process (workflow tasks only, from the
 * bundle `npm run build` made, so the progress display stays live and no ML library loads here) and runs
 * the stages in child processes, one per task queue, so CPU-bound training never stalls workflow tasks.
 * The gpu one starts only when a gpu stage is due (`ensureGpu`): a cached run never pays for it.
 */
export async function startLocalWorkers(
  settings: Settings,
  extraDataRoots: readonly string[] = [],
): Promise<LocalWorkers> {
  const own = { ...settings, dataRoots: [...new Set([...settings.dataRoots, ...extraDataRoots])] };
  // Spawned before the SDK import below: the child's start-up (about a second) overlaps it.
  const children = [spawnActivityWorker(own, 'cpu')];
  // Loaded on use: `--help` and `--no-worker` need not load the worker SDK.
  const { createShelfWorker } = await import('../../../workers/worker.js');
  let gpu: ChildProcess | undefined;
  const workflows: Worker = await createShelfWorker(settings, 'cpu', { role: 'workflows' });
  const running = workflows.run();
  return {
    ensureGpu() {
      if (gpu) return;
      gpu = spawnActivityWorker(own, 'gpu');
      children.push(gpu);
    },
    async stop() {
      workflows.shutdown();
      await Promise.allSettled([running, ...children.map(stopChild)]);
    },
  };
}

/** Stages routed to the gpu queue: when one of them is checked or running, its worker must be up. */
export function needsGpuWorker(nodes: readonly NodeState[]): boolean {
  return nodes.some((n) => GPU_STAGES.has(n.stage) && (n.status === 'checking' || n.status === 'running'));
}

const GPU_STAGES = new Set<string>(PAPER_STAGES.filter((s) => s.queue === 'gpu').map((s) => s.name));
