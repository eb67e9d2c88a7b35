import os from 'node:os';
import path from 'node:path';
import { type BuildName, GO_BUILDS } from './versions.js';

/** Machine-level cache for built server binaries, shared by every checkout, CI run and session. */
export function binCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return (
    env.SHELFSSL_BIN_DIR ??
    path.join(env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'shelfssl', 'bin')
  );
}

/** One folder per pinned version, so bumping a pin rebuilds instead of reusing a stale binary. */
export function serverBinary(name: BuildName, env: NodeJS.ProcessEnv = process.env): string {
  const s = GO_BUILDS[name];
  return path.join(binCacheDir(env), `${name}-${s.version}`, s.binary);
}
