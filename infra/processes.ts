import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withPrivateUmask } from './private-files.js';

export interface SpawnedServer {
  pid: number;
  child: ChildProcess;
}

/** Starts a server with output to a log file. Detached servers outlive the CLI that started them. */
export function spawnServer(
  binary: string,
  args: string[],
  opts: { logFile: string; env?: NodeJS.ProcessEnv; detached: boolean },
): SpawnedServer {
  mkdirSync(path.dirname(opts.logFile), { recursive: true, mode: 0o700 });
  const fd = openSync(opts.logFile, 'a', 0o600);
  // The child inherits the umask: the databases, objects and logs it writes are its owner's alone.
  const child = withPrivateUmask(() =>
    spawn(binary, args, {
      env: { ...process.env, ...opts.env },
      stdio: ['ignore', fd, fd],
      detached: opts.detached,
    }),
  );
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not start ${binary} (see ${opts.logFile})`);
  if (opts.detached) child.unref();
  return { pid: child.pid, child };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function writePid(file: string, pid: number): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, `${pid}\n`, { mode: 0o600 });
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isFinite(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves once the process is gone. */
export async function stopPid(pid: number, graceMs = 10_000): Promise<'stopped' | 'killed' | 'not-running'> {
  if (!isAlive(pid)) return 'not-running';
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return 'stopped';
    await sleep(100);
  }
  process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(50);
  return 'killed';
}

export function removePid(file: string): void {
  rmSync(file, { force: true });
}
