import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import type { Settings } from '../../config/settings.js';
import { settingsToEnv } from '../../config/settings-env.js';
import { CLI } from './cli.js';

/** The environment a `shelfssl worker` process needs to reach the same Temporal, MinIO and task queues. */
export function workerEnv(settings: Settings, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, ...settingsToEnv(settings), ...extra };
}

export interface WorkerProcess {
  readonly pid: number;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal name) once the process is gone. */
  readonly exited: Promise<number | string>;
  /** SIGKILL: no shutdown hook runs, in-flight activities are simply lost (a crashed host). */
  crash(): Promise<number | string>;
  /** SIGTERM, then SIGKILL after `graceMs`: a clean stop for teardown. */
  stop(graceMs?: number): Promise<number | string>;
}

export interface SpawnWorkerOptions {
  queue: 'cpu' | 'gpu';
  logFile: string;
  env?: NodeJS.ProcessEnv;
}

/** Starts `node dist/cli/main.js worker --queue <q>` as a separate OS process, output to a log file. */
export function spawnWorkerProcess(settings: Settings, opts: SpawnWorkerOptions): WorkerProcess {
  mkdirSync(path.dirname(opts.logFile), { recursive: true });
  const fd = openSync(opts.logFile, 'a');
  const child = spawn(process.execPath, [CLI, 'worker', '--queue', opts.queue], {
    env: workerEnv(settings, opts.env),
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  if (child.pid === undefined)
    throw new Error(`could not start a ${opts.queue} worker (see ${opts.logFile})`);
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const alive = () => child.exitCode === null && child.signalCode === null;
  return {
    pid: child.pid,
    child,
    logFile: opts.logFile,
    exited,
    async crash() {
      if (alive()) child.kill('SIGKILL');
      return await exited;
    },
    async stop(graceMs = 8000) {
      if (!alive()) return await exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (alive()) child.kill('SIGKILL');
      }, graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** Stops every worker still running; for `after` hooks, so a failed test never leaks a process. */
export async function stopAll(workers: readonly WorkerProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => w.stop()));
}
