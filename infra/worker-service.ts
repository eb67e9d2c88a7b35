import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { Settings } from '../config/settings.js';
import { settingsToEnv } from '../config/settings-env.js';
import { isAlive, spawnServer, stopPid } from './processes.js';

/**
 * The local workers `infra up` leaves running beside the servers, so `shelfssl run` finds its stages
 * served at once instead of starting worker processes of its own (about two seconds a run): one process
 * for workflow tasks, one for cpu stages, one for gpu stages (TensorFlow loads only when a stage runs).
 */

export const SERVICE_WORKERS = [
  { name: 'cpu-workflows', queue: 'cpu', role: 'workflows' },
  { name: 'cpu-activities', queue: 'cpu', role: 'activities' },
  { name: 'gpu-activities', queue: 'gpu', role: 'activities' },
] as const;

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
/** Any checkout's CLI: a worker started from another clone of shelfssl is still ours to stop. */
const CLI_TAIL = path.join(path.sep, 'cli', 'main.js');

const serviceFileSchema = z.object({
  /** The build the workers run: a rebuilt shelfssl must not be served by the old code. */
  build: z.number(),
  /** Where the workers reach Temporal and MinIO, and on which queues: other settings, other workers. */
  endpoint: z.string(),
  dataRoots: z.array(z.string()),
  pids: z.record(z.string(), z.number().int().positive()),
});
export type WorkerService = z.infer<typeof serviceFileSchema>;

function serviceFile(dataDir: string): string {
  return path.join(dataDir, 'run', 'workers.json');
}

export function serviceLog(dataDir: string, name: string): string {
  return path.join(dataDir, 'logs', `worker-${name}.log`);
}

/** The CLI's build stamp: `npm run build` rewrites dist/, so a new build has a new stamp. */
function buildStamp(): number {
  return statSync(CLI).mtimeMs;
}

function endpointOf(settings: Settings): string {
  const q = settings.temporal.taskQueues;
  return `${settings.temporal.address}/${settings.temporal.namespace} ${q.cpu},${q.gpu} s3://${settings.s3.endPoint}:${settings.s3.port}/${settings.s3.bucket}`;
}

/** The service recorded for this data dir, or undefined (none, or a file that does not parse: start afresh). */
export function readWorkerService(dataDir: string): WorkerService | undefined {
  let text: string;
  try {
    text = readFileSync(serviceFile(dataDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = serviceFileSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A live shelfssl worker, not just a live pid: after a reboot or a crash the number may belong to another
 * process of the user's, which `infra down` must not signal. Where /proc is missing, a live pid is taken.
 */
function isServiceWorker(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return argv.some((a) => a.endsWith(CLI_TAIL)) && argv.includes('worker');
  } catch {
    return !existsSync('/proc/self');
  }
}

export function serviceAlive(service: WorkerService): boolean {
  return SERVICE_WORKERS.every((w) => {
    const pid = service.pids[w.name];
    return pid !== undefined && isServiceWorker(pid);
  });
}

function lexicallyWithin(root: string, target: string): boolean {
  if (root.startsWith('s3://') || target.startsWith('s3://'))
    return target === root || target.startsWith(root.endsWith('/') ? root : `${root}/`);
  const rel = path.relative(path.resolve(root), path.resolve(target));
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Why the service cannot serve a run needing `roots` with these settings, or undefined when it can. */
export function serviceMisfit(
  service: WorkerService,
  settings: Settings,
  roots: readonly string[],
): string | undefined {
  if (!serviceAlive(service)) return 'a worker process has exited';
  if (service.build !== buildStamp()) return 'shelfssl was rebuilt since they started';
  if (service.endpoint !== endpointOf(settings)) return 'the Temporal/S3 settings changed';
  const missing = roots.filter((r) => !service.dataRoots.some((root) => lexicallyWithin(root, r)));
  if (missing.length > 0) return `this run reads ${missing.join(', ')}`;
  return undefined;
}

/** Starts the three workers detached (logs under the data dir) and records them. */
export function startWorkerService(settings: Settings, roots: readonly string[]): WorkerService {
  const dataRoots = [...new Set([...settings.dataRoots, ...roots])];
  const env = settingsToEnv({ ...settings, dataRoots });
  const pids: Record<string, number> = {};
  for (const w of SERVICE_WORKERS) {
    const args = [CLI, 'worker', '--queue', w.queue, '--role', w.role];
    pids[w.name] = spawnServer(process.execPath, args, {
      logFile: serviceLog(settings.dataDir, w.name),
      env,
      detached: true,
    }).pid;
  }
  const service: WorkerService = { build: buildStamp(), endpoint: endpointOf(settings), dataRoots, pids };
  mkdirSync(path.dirname(serviceFile(settings.dataDir)), { recursive: true, mode: 0o700 });
  writeFileSync(serviceFile(settings.dataDir), `${JSON.stringify(service, null, 2)}\n`, { mode: 0o600 });
  return service;
}

/** Stops the recorded workers (SIGTERM: each finishes or hands back its task) and forgets them. */
export async function stopWorkerService(dataDir: string): Promise<'stopped' | 'not-running'> {
  const service = readWorkerService(dataDir);
  rmSync(serviceFile(dataDir), { force: true });
  if (!service) return 'not-running';
  const ours = Object.values(service.pids).filter(isServiceWorker);
  const results = await Promise.all(ours.map((pid) => stopPid(pid, 15_000)));
  return results.some((r) => r !== 'not-running') ? 'stopped' : 'not-running';
}

/**
 * The service a run can use: the recorded one when it fits, else restarted with the roots it lacked (kept
 * for later runs). Undefined when `infra up` started none here, so `run` starts workers of its own.
 */
export async function serviceForRun(
  settings: Settings,
  roots: readonly string[],
  log: (l: string) => void,
): Promise<WorkerService | undefined> {
  const service = readWorkerService(settings.dataDir);
  if (!service) return undefined;
  const misfit = serviceMisfit(service, settings, roots);
  if (misfit === undefined) return service;
  log(`restarting the local workers of \`infra up\` (${misfit})`);
  await stopWorkerService(settings.dataDir);
  return startWorkerService(settings, [...service.dataRoots, ...roots]);
}

export interface WorkerServiceStatus {
  processes: Array<{ name: string; pid: number; running: boolean; log: string }>;
  dataRoots: string[];
}

export function workerServiceStatus(dataDir: string): WorkerServiceStatus {
  const service = readWorkerService(dataDir);
  if (!service) return { processes: [], dataRoots: [] };
  return {
    processes: Object.entries(service.pids).map(([name, pid]) => ({
      name,
      pid,
      running: isServiceWorker(pid),
      log: serviceLog(dataDir, name),
    })),
    dataRoots: service.dataRoots,
  };
}
