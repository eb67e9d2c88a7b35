import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { StageDef } from '../pipelines/stage.js';
import type { StageImpl } from './stage-types.js';

/**
 * Pairs every declared stage with its implementation, in declaration order, and refuses the registry when a
 * declared stage has none (or two), or an implementation belongs to no declaration: a worker built that way
 * fails at start-up instead of leaving a run waiting on an activity no worker has.
 */
export function registeredStages(
  declared: readonly StageDef[],
  implementations: readonly StageImpl[],
): readonly StageImpl[] {
  const problems: string[] = [];
  const paired = declared.flatMap((def) => {
    const found = implementations.filter((impl) => impl.def === def);
    if (found.length === 0) problems.push(`stage ${def.name} is declared but has no implementation`);
    if (found.length > 1) problems.push(`stage ${def.name} has ${found.length} implementations`);
    return found.slice(0, 1);
  });
  for (const impl of implementations) {
    if (!declared.includes(impl.def))
      problems.push(`stage ${impl.def.name} is implemented but not declared (or with another declaration)`);
  }
  if (problems.length > 0) {
    throw new Error(
      `stage registry: ${problems.join('; ')}. Declare each stage once in pipelines/stages.ts (PAPER_STAGES) ` +
        'and implement it (defineStage) in activities/stages/<name>.ts',
    );
  }
  return paired;
}

function isStageImpl(value: unknown): value is StageImpl {
  if (typeof value !== 'object' || value === null) return false;
  const { def, run } = value as { def?: { name?: unknown }; run?: unknown };
  return typeof def?.name === 'string' && typeof run === 'function';
}

/**
 * Every stage implementation exported by a module of `dir` (activities/stages/: one file per stage, helpers
 * in support/ and the rest export none), paired with the declarations by `registeredStages`. Found by
 * looking, not listed: adding a stage is its declaration, its file and its wiring into the pipeline.
 */
export async function implementationsIn(
  declared: readonly StageDef[],
  dir: URL,
  skip: readonly string[],
): Promise<readonly StageImpl[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.js') && !skip.includes(f)).sort();
  const modules = await Promise.all(files.map(async (f) => await import(new URL(f, dir).href)));
  const found = modules.flatMap((m: Record<string, unknown>) => Object.values(m).filter(isStageImpl));
  return registeredStages(declared, found);
}

/**
 * Imports `file` and returns the implementation it exports for `def`, refusing a module that exports none,
 * so a lazily loaded stage fails its first task with the fix instead of running some other stage.
 */
async function loadImplementation(def: StageDef, file: URL): Promise<StageImpl> {
  const exported: unknown[] = Object.values(await import(file.href));
  const impl = exported.filter(isStageImpl).find((candidate) => candidate.def === def);
  if (impl === undefined) {
    throw new Error(
      `stage ${def.name}: ${fileURLToPath(file)} exports no implementation of it; ` +
        'implement it with defineStage in activities/stages/<name>.ts',
    );
  }
  return impl;
}

/**
 * Stand-ins for the stages declared in `declared`, one per `dir/<name>.js`, that import their module on their
 * first task. A worker then starts without loading TensorFlow.js, sharp and exceljs for stages it may never
 * run (a fully cached run needs none of them), and its code identities still come from the files. The full
 * pairing check (`implementationsIn`) runs in the test suite instead of at every start.
 */
export function lazyStagesIn(declared: readonly StageDef[], dir: URL): readonly StageImpl[] {
  const missing = declared.filter((def) => !existsSync(new URL(`${def.name}.js`, dir)));
  if (missing.length > 0) {
    throw new Error(
      `stage registry: ${missing.map((def) => `stage ${def.name} is declared but has no implementation`).join('; ')}. ` +
        `Implement each declared stage (defineStage) in ${fileURLToPath(dir)}<name>.ts`,
    );
  }
  return declared.map((def) => {
    const module = new URL(`${def.name}.js`, dir);
    let loading: Promise<StageImpl> | undefined;
    const load = () => {
      loading ??= loadImplementation(def, module);
      return loading;
    };
    return { def, module: module.href, run: async (ctx, params) => (await load()).run(ctx, params) };
  });
}
