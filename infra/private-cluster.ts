import path from 'node:path';
import { freePort } from './ports.js';
import type { SpawnedServer } from './processes.js';
import { startMinio, startTemporal } from './servers.js';

export interface PrivateCluster {
  /** SHELFSSL_* settings pointing at this cluster, for child processes or loadSettings(env). */
  env: Record<string, string>;
  servers: SpawnedServer[];
  stop(): Promise<void>;
}

async function stopServer(s: SpawnedServer): Promise<void> {
  if (s.child.exitCode !== null) return;
  s.child.kill('SIGTERM');
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      s.child.kill('SIGKILL');
      resolve();
    }, 5000);
    s.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * A throwaway Temporal dev server + MinIO on free loopback ports under `root`, for tests and benchmarks.
 * Children of this process: they die with it.
 */
export async function startPrivateCluster(root: string, bucket = 'shelfssl'): Promise<PrivateCluster> {
  const [tPort, uiPort, mPort, cPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const creds = { accessKey: 'shelfssl-private', secretKey: `private-${process.pid}-${Date.now()}` };
  const servers: SpawnedServer[] = [];
  const stop = async () => {
    for (const s of servers.splice(0)) await stopServer(s);
  };
  try {
    servers.push(
      await startTemporal({
        port: tPort,
        uiPort,
        dbFile: path.join(root, 'temporal.db'),
        logFile: path.join(root, 'temporal.log'),
        detached: false,
      }),
    );
    servers.push(
      await startMinio({
        port: mPort,
        consolePort: cPort,
        dataDir: path.join(root, 'minio'),
        logFile: path.join(root, 'minio.log'),
        detached: false,
        ...creds,
      }),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  const env = {
    SHELFSSL_TEMPORAL_ADDRESS: `127.0.0.1:${tPort}`,
    SHELFSSL_TEMPORAL_UI_PORT: String(uiPort),
    SHELFSSL_S3_ENDPOINT: '127.0.0.1',
    SHELFSSL_S3_PORT: String(mPort),
    SHELFSSL_S3_ACCESS_KEY: creds.accessKey,
    SHELFSSL_S3_SECRET_KEY: creds.secretKey,
    SHELFSSL_S3_BUCKET: bucket,
    SHELFSSL_DATA_DIR: path.join(root, 'data'),
  };
  return { env, servers, stop };
}
