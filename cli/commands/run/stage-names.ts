import { UsageError } from '../../../config/errors.js';
import type { DagPlan } from '../../../pipelines/dag.js';

/** The stage names a plan uses, in first-use order: what `--stage` may name. */
export function planStages(plan: DagPlan): string[] {
  return [...new Set(plan.nodes.map((n) => n.stage))];
}

/** `--stage` must name a stage of this plan; the error lists the ones it has. */
export function checkStagesInPlan(plan: DagPlan, stages: readonly string[]): void {
  const known = planStages(plan);
  const unknown = stages.filter((s) => !known.includes(s));
  if (unknown.length > 0)
    throw new UsageError(
      `--stage: got ${unknown.map((s) => `"${s}"`).join(', ')}; the stages of pipeline "${plan.pipeline}" are: ${known.join(', ')}`,
    );
}
