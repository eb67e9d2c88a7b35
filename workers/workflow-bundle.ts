import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lockedVersions, moduleGraphIdentity } from '../store/code-identity.js';

/** dist/ of this build, and the workflows' entry module in it. */
const BUILD_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const WORKFLOWS_PATH = path.join(BUILD_ROOT, 'workflows', 'index.js');
/** Written by `npm run build` (workers/build-bundle.ts): webpack once per build, not at every worker start. */
export const BUNDLE_PATH = path.join(BUILD_ROOT, 'workflows', 'workflow-bundle.js');
export const BUNDLE_IDENTITY_PATH = `${BUNDLE_PATH}.identity`;
const LOCK_FILE = path.join(BUILD_ROOT, '..', 'package-lock.json');

/** The digest of the workflow code's module graph (local modules + locked package versions). */
export async function workflowCodeDigest(): Promise<string> {
  const versions = await lockedVersions(LOCK_FILE);
  const id = await moduleGraphIdentity(WORKFLOWS_PATH, { root: BUILD_ROOT, versions, exclude: () => false });
  return id.digest;
}

/**
 * The prebuilt bundle when it was built from exactly the workflow code in dist/ (a `tsc` without the
 * bundle step leaves it stale: then undefined, and the worker bundles at start as before).
 */
export async function prebuiltWorkflowBundle(): Promise<{ codePath: string } | undefined> {
  let recorded: string;
  try {
    recorded = readFileSync(BUNDLE_IDENTITY_PATH, 'utf8').trim();
  } catch {
    return undefined;
  }
  return recorded === (await workflowCodeDigest()) ? { codePath: BUNDLE_PATH } : undefined;
}

/** For the benchmark: whether a bundle file exists at all. */
export async function bundleSize(): Promise<number | undefined> {
  return await readFile(BUNDLE_PATH)
    .then((b) => b.length)
    .catch(() => undefined);
}
