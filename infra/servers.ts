import path from 'node:path';
import { minioHealthy, temporalHealthy, waitUntil } from './health.js';
import { serverBinary } from './paths.js';
import { isAlive, type SpawnedServer, spawnServer } from './processes.js';

/** Search attributes the executor sets so runs are findable by config hash and ISO week. */
export const SEARCH_ATTRIBUTES = { ShelfsslConfigHash: 'Keyword', ShelfsslIsoWeek: 'Keyword' } as const;

export interface TemporalServerOptions {
  port: number;
  uiPort: number;
  dbFile: string;
  logFile: string;
  detached: boolean;
  binary?: string;
}

export interface MinioServerOptions {
  port: number;
  consolePort: number;
  dataDir: string;
  logFile: string;
  accessKey: string;
  secretKey: string;
  detached: boolean;
  binary?: string;
}

export function temporalArgs(o: TemporalServerOptions): string[] {
  const attrs = Object.entries(SEARCH_ATTRIBUTES).flatMap(([k, t]) => ['--search-attribute', `${k}=${t}`]);
  return [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(o.port),
    '--ui-port',
    String(o.uiPort),
    '--db-filename',
    o.dbFile,
    '--log-level',
    'warn',
    ...attrs,
  ];
}

/** Healthy but our process exited: another server holds the port, so "started" would be false. */
function assertStillRunning(what: string, server: SpawnedServer, logFile: string): void {
  if (!isAlive(server.pid) || server.child.exitCode !== null)
    throw new Error(`${what} exited right after start (port in use by another server? see ${logFile})`);
}

export async function startTemporal(o: TemporalServerOptions): Promise<SpawnedServer> {
  const binary = o.binary ?? serverBinary('temporal');
  const server = spawnServer(binary, temporalArgs(o), { logFile: o.logFile, detached: o.detached });
  await waitUntil('Temporal dev server', () => temporalHealthy(`127.0.0.1:${o.port}`), {
    timeoutMs: 60_000,
    logFile: o.logFile,
    alive: () => isAlive(server.pid),
  });
  assertStillRunning('Temporal dev server', server, o.logFile);
  return server;
}

export async function startMinio(o: MinioServerOptions): Promise<SpawnedServer> {
  const binary = o.binary ?? serverBinary('minio');
  const args = [
    'server',
    path.resolve(o.dataDir),
    '--quiet',
    '--address',
    `127.0.0.1:${o.port}`,
    '--console-address',
    `127.0.0.1:${o.consolePort}`,
  ];
  const env = { MINIO_ROOT_USER: o.accessKey, MINIO_ROOT_PASSWORD: o.secretKey, MINIO_UPDATE: 'off' };
  const server = spawnServer(binary, args, { logFile: o.logFile, env, detached: o.detached });
  await waitUntil('MinIO', () => minioHealthy('127.0.0.1', o.port), {
    timeoutMs: 60_000,
    logFile: o.logFile,
    alive: () => isAlive(server.pid),
  });
  assertStillRunning('MinIO', server, o.logFile);
  return server;
}
