import { readdir } from 'node:fs/promises';
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
