import { ApplicationFailure, workflowInfo } from '@temporalio/workflow';
import { z } from 'zod';
import { formatZodError } from '../config/errors.js';
import { DagPlanSchema, validateDag } from '../pipelines/dag.js';
import { isoWeekLabel } from '../pipelines/iso-week.js';
import { ArtefactRefSchema } from '../store/artefact-schema.js';
import { type ExecContext, executeNodes, initialStates } from './executor.js';
import { RunOptionsSchema } from './run-input.js';
import { failureSummary, type PipelineRunResult, partialRunFailure } from './run-result.js';
import type { RunState } from './run-state.js';
import { serveRunState } from './serve-run-state.js';

export const PredictRunInputSchema = z.strictObject({
  plan: DagPlanSchema,
  options: RunOptionsSchema,
  /** The published model the plan reads: `model/backbone`, `model/head` -> their artefacts. */
  model: z.record(z.string(), ArtefactRefSchema),
});
export type PredictRunInput = z.input<typeof PredictRunInputSchema>;

/**
 * Applies a published model to new shelf photos: the predict plan (input -> shards -> merge) on the same
 * executor as a training run, so shards fan out over workers, are cached artefacts, retry, and show their
 * progress through `runStateQuery`. The training DAG is not touched: the model comes in as artefact refs.
 */
export async function predictRun(raw: PredictRunInput): Promise<PipelineRunResult> {
  const parsed = PredictRunInputSchema.safeParse(raw);
  if (!parsed.success)
    throw ApplicationFailure.nonRetryable(formatZodError(parsed.error, 'predictRun input'));
  const { plan, options, model } = parsed.data;
  validateDag(plan.nodes, new Set(Object.keys(model)));
  const state: RunState = {
    pipeline: plan.pipeline,
    startedAt: Date.now(),
    status: 'running',
    nodes: initialStates(plan.nodes),
  };
  serveRunState(state);
  const volatile = plan.nodes.filter((n) => n.volatile).map((n) => n.id);
  const ctx: ExecContext = {
    state,
    external: model,
    forced: new Set(options.force ? plan.nodes.map((n) => n.id) : volatile),
    taskQueues: options.taskQueues,
  };
  try {
    const refs = await executeNodes(ctx, plan.nodes);
    const result: PipelineRunResult = {
      pipeline: plan.pipeline,
      isoWeek: isoWeekLabel(workflowInfo().startTime),
      nodes: state.nodes,
      refs,
    };
    const failure = failureSummary(state.nodes);
    if (failure !== undefined) throw partialRunFailure('PipelineFailed', failure, result);
    state.status = 'completed';
    return result;
  } catch (err) {
    state.status = 'failed';
    throw err;
  } finally {
    state.finishedAt = Date.now();
  }
}
