import path from 'node:path';
import { freePort } from '../../infra/ports.js';
import type { SpawnedServer } from '../../infra/processes.js';
import { startMinio, startTemporal } from '../../infra/servers.js';

/**
 * A server this test may crash and restart (never the harness's, which other test files share). Restart
 * reuses the port and the data (Temporal's --db-filename, MinIO's data dir), as an operator's restart would.
 */
export interface RestartableServer {
  readonly port: number;
  current(): SpawnedServer;
  /** SIGKILL: a crash, no clean shutdown. Resolves once the process is gone. */
  crash(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

async function killAndWait(s: SpawnedServer, signal: NodeJS.Signals): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => s.child.once('exit', () => resolve()));
  s.child.kill(signal);
  const timer = setTimeout(() => s.child.kill('SIGKILL'), 5000);
  await gone;
  clearTimeout(timer);
}

function restartable(
  port: number,
  start: () => Promise<SpawnedServer>,
  first: SpawnedServer,
): RestartableServer {
  let server = first;
  return {
    port,
    current: () => server,
    crash: () => killAndWait(server, 'SIGKILL'),
    async restart() {
      server = await start();
    },
    stop: () => killAndWait(server, 'SIGTERM'),
  };
}

export async function ownTemporal(dir: string): Promise<RestartableServer> {
  const [port, uiPort] = [await freePort(), await freePort()];
  const start = () =>
    startTemporal({
      port,
      uiPort,
      dbFile: path.join(dir, 'temporal.db'),
      logFile: path.join(dir, 'temporal.log'),
      detached: false,
    });
  return restartable(port, start, await start());
}

export const OWN_MINIO_CREDENTIALS = { accessKey: 'faults-minio', secretKey: `faults-${process.pid}-secret` };

export async function ownMinio(dir: string): Promise<RestartableServer> {
  const [port, consolePort] = [await freePort(), await freePort()];
  const start = () =>
    startMinio({
      port,
      consolePort,
      dataDir: path.join(dir, 'minio'),
      logFile: path.join(dir, 'minio.log'),
      detached: false,
      ...OWN_MINIO_CREDENTIALS,
    });
  return restartable(port, start, await start());
}
