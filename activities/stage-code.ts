import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type CodeIdentity, lockedVersions, moduleGraphIdentity } from '../store/code-identity.js';
import type { StageImpl } from './stage-types.js';

/** The build root (this file is <root>/activities/stage-code.js) and the lockfile of the project above it. */
export const BUILD_ROOT = fileURLToPath(new URL('../', import.meta.url));
export const LOCK_FILE = path.join(BUILD_ROOT, '..', 'package-lock.json');

/**
 * Modules every stage imports that compute none of its output, so they are not part of a stage's code:
 * the runner and the stage registry (they run every stage the same way), the stage declarations (what they
 * decide, params and codeVersion, is in the cache key already), the store (moves and verifies bytes) and
 * settings / error text. Without this list, editing the head's params block or the artefact writer would
 * recompute SwAV.
 */
const NOT_STAGE_CODE = [
  /^activities\/stage-runner\.js$/,
  /^activities\/stage-types\.js$/,
  /^activities\/stage-code\.js$/,
  /^activities\/stage-failure\.js$/,
  /^activities\/artefact-input\.js$/,
  /^pipelines\/stages?\.js$/,
  /^store\//,
  /^config\//,
];

export function isStageCode(relative: string): boolean {
  return !NOT_STAGE_CODE.some((pattern) => pattern.test(relative));
}

/** The module a stage is defined in: `impl.module`, else the paper layout `activities/stages/<name>.js`. */
export function stageModulePath(impl: StageImpl, root = BUILD_ROOT): string {
  if (impl.module) return fileURLToPath(impl.module);
  return path.join(root, 'activities', 'stages', `${impl.def.name}.js`);
}

/** The code identity of the module graph at `entry`, with the project's locked package versions. */
export async function stageCodeIdentity(
  entry: string,
  options: { root?: string; versions?: Record<string, string> } = {},
): Promise<CodeIdentity> {
  const root = options.root ?? BUILD_ROOT;
  const versions = options.versions ?? (await lockedVersions(path.join(root, '..', 'package-lock.json')));
  return moduleGraphIdentity(entry, { root, versions, exclude: (rel) => !isStageCode(rel) });
}

/** Refuses a module that does not define the stage, so an identity never describes some other file. */
async function checkDefines(impl: StageImpl, file: string): Promise<void> {
  let exported: unknown[];
  try {
    exported = Object.values(await import(pathToFileURL(file).href));
  } catch (err) {
    throw new Error(
      `stage ${impl.def.name}: cannot load ${file} to take its code identity (${(err as Error).message}); ` +
        'a stage defined outside activities/stages/<name>.ts needs `module: import.meta.url` in defineStage',
    );
  }
  if (!exported.includes(impl)) {
    throw new Error(
      `stage ${impl.def.name}: ${file} does not export it; set \`module: import.meta.url\` in its defineStage`,
    );
  }
}

/**
 * Each stage's code identity digest by stage name, computed once per process from the emitted files it
 * runs (a worker reads them at start, before it takes a task).
 */
export async function stageCodeIdentities(stages: readonly StageImpl[]): Promise<Record<string, string>> {
  const versions = await lockedVersions(LOCK_FILE);
  const entries = await Promise.all(
    stages.map(async (impl) => {
      const file = stageModulePath(impl);
      // `module: import.meta.url` is said where the stage is defined; the path by convention is checked.
      if (!impl.module) await checkDefines(impl, file);
      return [impl.def.name, (await stageCodeIdentity(file, { versions })).digest] as const;
    }),
  );
  return Object.fromEntries(entries);
}
