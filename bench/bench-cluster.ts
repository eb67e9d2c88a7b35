import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadSettings, type Settings } from '../config/settings.js';
import { startPrivateCluster } from '../infra/private-cluster.js';

/**
 * A private Temporal + MinIO in a fresh temp folder for one bench, removed afterwards. The folder is the bench's
 * data (shelves, photos), so the workers' settings accept it as a data root.
 */
export async function withBenchCluster<T>(
  prefix: string,
  run: (settings: Settings, root: string) => Promise<T>,
): Promise<T> {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const cluster = await startPrivateCluster(root);
  try {
    return await run(loadSettings({ ...process.env, ...cluster.env, SHELFSSL_DATA_ROOTS: root }), root);
  } finally {
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
