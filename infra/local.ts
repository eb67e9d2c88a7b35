import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  credentialsFile,
  ensureLocalCredentials,
  loadSettings,
  readWorkerCredentials,
  type Settings,
} from '../config/settings.js';
import { createS3Client, ensureBucket } from '../store/s3.js';
import { minioHealthy, temporalHealthy } from './health.js';
import { installServer } from './install.js';
import { serverBinary } from './paths.js';
import { makePrivateTree } from './private-files.js';
import { isAlive, readPid, removePid, stopPid, writePid } from './processes.js';
import { startMinio, startTemporal } from './servers.js';
import { SERVERS, type ServerName } from './versions.js';
import {
  readWorkerService,
  SERVICE_WORKERS,
  serviceLog,
  serviceMisfit,
  startWorkerService,
  stopWorkerService,
} from './worker-service.js';
import { provisionWorkerUser } from './worker-user.js';

/** Local layout under the data dir: pid files, logs, Temporal's SQLite file, MinIO's drive. */
export function localLayout(dataDir: string) {
  return {
    pid: (n: ServerName) => path.join(dataDir, 'run', `${n}.pid`),
    log: (n: ServerName) => path.join(dataDir, 'logs', `${n}.log`),
    temporalDb: path.join(dataDir, 'temporal', 'temporal.db'),
    minioData: path.join(dataDir, 'minio', 'data'),
  };
}

export function localPorts(settings: Settings, env: NodeJS.ProcessEnv = process.env) {
  const temporal = Number(settings.temporal.address.split(':')[1]);
  return {
    temporal,
    temporalUi: Number(env.SHELFSSL_TEMPORAL_UI_PORT ?? temporal + 1000),
    minio: settings.s3.port,
    minioConsole: Number(env.SHELFSSL_MINIO_CONSOLE_PORT ?? settings.s3.port + 1),
  };
}

export type UpReport = Record<ServerName, 'started' | 'already running'>;

/**
 * A port already served by a process this data dir did not start (e.g. `infra up` from another folder):
 * starting ours would fail on the port while the health check passes on theirs, so stop and say which.
 */
function foreignServerError(name: ServerName, endpoint: string, dataDir: string, pidFile: string): Error {
  return new Error(
    `${name}: ${endpoint} is already served by a process that data dir ${dataDir} did not start ` +
      `(no live pid in ${pidFile}); probably \`shelfssl infra up\` from another folder. Run shelfssl in ` +
      'that folder (or a sub-folder), set SHELFSSL_DATA_DIR to its data dir, or choose other ports ' +
      '(SHELFSSL_TEMPORAL_ADDRESS, SHELFSSL_S3_PORT)',
  );
}

/** A pid file whose process is gone says nothing; removing it keeps `infra status` honest. */
function livePid(pidFile: string): number | undefined {
  const pid = readPid(pidFile);
  if (pid !== undefined && isAlive(pid)) return pid;
  removePid(pidFile);
  return undefined;
}

export async function localUp(settings: Settings, log: (l: string) => void): Promise<UpReport> {
  const lay = localLayout(settings.dataDir);
  const ports = localPorts(settings);
  const report = {} as UpReport;
  makePrivateTree(settings.dataDir);
  mkdirSync(path.dirname(lay.temporalDb), { recursive: true, mode: 0o700 });

  const tPid = livePid(lay.pid('temporal'));
  const temporalUp = await temporalHealthy(settings.temporal.address);
  if (tPid !== undefined && temporalUp) {
    report.temporal = 'already running';
  } else if (temporalUp) {
    throw foreignServerError('temporal', settings.temporal.address, settings.dataDir, lay.pid('temporal'));
  } else {
    const t = await startTemporal({
      port: ports.temporal,
      uiPort: ports.temporalUi,
      dbFile: lay.temporalDb,
      logFile: lay.log('temporal'),
      detached: true,
    });
    writePid(lay.pid('temporal'), t.pid);
    report.temporal = 'started';
  }
  log(
    `temporal: ${report.temporal} at ${settings.temporal.address}, UI http://127.0.0.1:${ports.temporalUi}`,
  );

  const creds = { accessKey: settings.s3.accessKey, secretKey: settings.s3.secretKey };
  const mPid = livePid(lay.pid('minio'));
  const minioUp = await minioHealthy(settings.s3.endPoint, ports.minio);
  if (mPid !== undefined && minioUp) {
    report.minio = 'already running';
  } else if (minioUp) {
    throw foreignServerError(
      'minio',
      `${settings.s3.endPoint}:${ports.minio}`,
      settings.dataDir,
      lay.pid('minio'),
    );
  } else {
    mkdirSync(lay.minioData, { recursive: true, mode: 0o700 });
    const m = await startMinio({
      port: ports.minio,
      consolePort: ports.minioConsole,
      dataDir: lay.minioData,
      logFile: lay.log('minio'),
      detached: true,
      ...creds,
    });
    writePid(lay.pid('minio'), m.pid);
    report.minio = 'started';
  }
  await ensureBucket(createS3Client(settings.s3), settings.s3);
  log(
    `minio: ${report.minio} at http://127.0.0.1:${ports.minio}, console http://127.0.0.1:${ports.minioConsole}`,
  );
  log(`bucket: ${settings.s3.bucket}; credentials in ${credentialsFile(settings.dataDir)}`);
  await limitWorkers(settings, log);
  return report;
}

/**
 * Gives the other commands and the workers a MinIO user limited to the bucket, when `infra up` generated the
 * credentials (a MinIO of the user's own, named by env or config, is theirs to administer).
 */
async function limitWorkers(settings: Settings, log: (l: string) => void): Promise<void> {
  const worker = readWorkerCredentials(settings.dataDir);
  if (worker === undefined || worker.accessKey === settings.s3.accessKey) return;
  await installServer('mc', log);
  await provisionWorkerUser(settings.s3, worker, settings.dataDir);
  log(
    `workers: MinIO user ${worker.accessKey} limited to bucket ${settings.s3.bucket} ` +
      '(root credentials stay with `shelfssl infra`)',
  );
}

/**
 * `infra up` as every command that starts the local servers runs it (infra, demo, paper): credentials generated
 * once, the servers started with the root ones, then the workers' user made.
 */
export async function localUpGenerated(
  log: (l: string) => void,
  opts: { workers: boolean } = { workers: true },
): Promise<UpReport> {
  ensureLocalCredentials();
  const report = await localUp(
    loadSettings(process.env, process.cwd(), { credentials: 'required', identity: 'root' }),
    log,
  );
  // With the workers' credentials, not root: they are what every other command uses.
  if (opts.workers) await upWorkerService(loadSettings(), log);
  return report;
}

/** Leaves the local workers running (restarted when they no longer fit, e.g. after a rebuild). */
async function upWorkerService(settings: Settings, log: (l: string) => void): Promise<void> {
  const running = readWorkerService(settings.dataDir);
  const misfit = running && serviceMisfit(running, settings, []);
  if (running && misfit === undefined) {
    log(`local workers: already running (${Object.values(running.pids).join(', ')})`);
    return;
  }
  if (running) await stopWorkerService(settings.dataDir);
  const started = startWorkerService(settings, running?.dataRoots ?? []);
  log(
    `local workers: started ${SERVICE_WORKERS.map((w) => `${w.name} ${started.pids[w.name]}`).join(', ')} ` +
      `(logs ${serviceLog(settings.dataDir, '*')}; \`infra up --no-workers\` leaves them out)`,
  );
}

export async function localDown(settings: Settings, log: (l: string) => void): Promise<void> {
  const lay = localLayout(settings.dataDir);
  // First: a worker whose servers vanish retries its connection instead of finishing its task.
  log(`local workers: ${await stopWorkerService(settings.dataDir)}`);
  for (const name of ['minio', 'temporal'] as const) {
    const pid = readPid(lay.pid(name));
    const result = pid === undefined ? 'not-running' : await stopPid(pid);
    removePid(lay.pid(name));
    log(`${name}: ${result}`);
  }
}

export interface ServerStatus {
  name: ServerName;
  version: string;
  binary: string;
  installed: boolean;
  pid: number | undefined;
  running: boolean;
  healthy: boolean;
  endpoint: string;
  extra: string;
}

export async function localStatus(settings: Settings): Promise<ServerStatus[]> {
  const lay = localLayout(settings.dataDir);
  const ports = localPorts(settings);
  const status = async (
    name: ServerName,
    healthy: () => Promise<boolean>,
    endpoint: string,
    extra: string,
  ) => {
    const pid = readPid(lay.pid(name));
    return {
      name,
      version: SERVERS[name].version,
      binary: serverBinary(name),
      installed: existsSync(serverBinary(name)),
      pid,
      running: pid !== undefined && isAlive(pid),
      healthy: await healthy(),
      endpoint,
      extra,
    };
  };
  return [
    await status(
      'temporal',
      () => temporalHealthy(settings.temporal.address),
      settings.temporal.address,
      `UI http://127.0.0.1:${ports.temporalUi}, db ${lay.temporalDb}`,
    ),
    await status(
      'minio',
      () => minioHealthy(settings.s3.endPoint, ports.minio),
      `http://${settings.s3.endPoint}:${ports.minio}`,
      `console http://127.0.0.1:${ports.minioConsole}, data ${lay.minioData}`,
    ),
  ];
}
