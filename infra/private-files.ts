import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';

/**
 * The data dir holds MinIO's objects (small ones inline), Temporal's history and the logs: anyone who reads
 * it reads every artefact and run without credentials. It and everything under it are owner-only.
 */
export const PRIVATE_UMASK = 0o077;

/** Creates `dir` owner-only and makes what is already under it owner-only (links are left alone). */
export function makePrivateTree(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const walk = (p: string): void => {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return;
    if (st.isDirectory()) {
      if ((st.mode & 0o077) !== 0) chmodSync(p, st.mode & 0o700);
      for (const name of readdirSync(p)) walk(path.join(p, name));
    } else if ((st.mode & 0o077) !== 0) {
      chmodSync(p, st.mode & 0o700);
    }
  };
  walk(dir);
}

/** Runs `fn` (which spawns a server) with an owner-only umask, so every file the server creates is private. */
export function withPrivateUmask<T>(fn: () => T): T {
  const previous = process.umask(PRIVATE_UMASK);
  try {
    return fn();
  } finally {
    process.umask(previous);
  }
}
