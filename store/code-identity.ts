import { readFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { canonicalJson, sha256 } from './digest.js';

/**
 * What a module graph's code is: every local module it reaches (path relative to the build root + content
 * sha256) and the locked version of every package it imports. Built from emitted JS, so the same build gives
 * the same digest on every host: no absolute paths, no mtimes.
 */
export interface CodeIdentity {
  digest: string;
  /** Relative to the build root, `/`-separated, sorted. */
  modules: string[];
  /** Package name -> locked version ('unlocked' when the lockfile does not list it). */
  packages: Record<string, string>;
}

export interface ModuleGraphOptions {
  /** The build root (dist/): module paths are taken relative to it. */
  root: string;
  /** Package name -> version, from `lockedVersions`. */
  versions: Readonly<Record<string, string>>;
  /** Modules (relative paths) left out of the graph, and not followed: code that runs but computes nothing. */
  exclude(relative: string): boolean;
}

/**
 * Static `import … from 'x'`, `export … from 'x'`, `import 'x'` and literal `import('x')`. tsc's output is
 * regular enough for patterns; a false match in a string can only add a module (a conservative miss of the
 * cache), and a specifier built at run time is invisible (documented where the identity is used).
 */
const IMPORT_PATTERNS = [
  /(?<![\w$.])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?['"]([^'"\n]+)['"]/g,
  /(?<![\w$.])import\s*\(\s*['"]([^'"\n]+)['"]\s*\)/g,
];

export function importSpecifiers(source: string): string[] {
  const found = new Set<string>();
  for (const pattern of IMPORT_PATTERNS) for (const m of source.matchAll(pattern)) found.add(m[1]!);
  return [...found];
}

/** `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

const LockSchema = z.object({
  packages: z.record(z.string(), z.object({ version: z.string().optional() })),
});

/** Installed package versions as the lockfile (v2/v3) pins them, by package name. */
export async function lockedVersions(lockFile: string): Promise<Record<string, string>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(lockFile, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${lockFile} for the stages' code identity: ${(err as Error).message}`);
  }
  const lock = LockSchema.safeParse(raw);
  if (!lock.success) throw new Error(`${lockFile} has no "packages" map (lockfileVersion 2 or 3 expected)`);
  const versions: Record<string, string> = {};
  for (const [where, entry] of Object.entries(lock.data.packages)) {
    // Top-level installs only: nested copies serve other packages, not our imports.
    const name = /^node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(where)?.[1];
    if (name && entry.version) versions[name] = entry.version;
  }
  return versions;
}

/** Walks the local imports from `entry` (an emitted .js file) and digests what it reaches. */
export async function moduleGraphIdentity(entry: string, options: ModuleGraphOptions): Promise<CodeIdentity> {
  const relative = (file: string) => path.relative(options.root, file).split(path.sep).join('/');
  const hashes = new Map<string, string>();
  const packages: Record<string, string> = {};
  const pending = [path.resolve(entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    const rel = relative(file);
    if (hashes.has(rel) || options.exclude(rel)) continue;
    let source: Buffer;
    try {
      source = await readFile(file);
    } catch (err) {
      throw new Error(`code identity: cannot read module ${rel}: ${(err as Error).message}`);
    }
    hashes.set(rel, sha256(source));
    if (!/\.[cm]?js$/.test(file)) continue;
    for (const specifier of importSpecifiers(source.toString('utf8'))) {
      if (specifier.startsWith('.')) pending.push(path.resolve(path.dirname(file), specifier));
      else if (!isBuiltin(specifier)) {
        const name = packageName(specifier);
        packages[name] = options.versions[name] ?? 'unlocked';
      }
    }
  }
  const modules = [...hashes.keys()].sort();
  const sortedPackages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a < b ? -1 : 1)));
  const digest = sha256(
    canonicalJson({ modules: modules.map((m) => [m, hashes.get(m)]), packages: sortedPackages }),
  );
  return { digest, modules, packages: sortedPackages };
}
