import { ApplicationFailure, executeChild, patched, workflowInfo } from '@temporalio/workflow';
import { formatZodError } from '../config/errors.js';
import { type DagNode, nodesOfStages, validateDag, withDescendants } from '../pipelines/dag.js';
import { isoWeekLabel } from '../pipelines/iso-week.js';
import { type ExecContext, executeNodes, initialStates, type SweepPoints } from './executor.js';
import { collectAfterRun, GC_PATCH } from './gc-after-run.js';
import { dagGroupRun } from './group-run.js';
import { NOTIFY_PATCH, sendRunAlert } from './notify.js';
import { type PipelineRunInput, PipelineRunInputSchema } from './run-input.js';
import { failureSummary, type PipelineRunResult, partialRunFailure } from './run-result.js';
import type { RunState } from './run-state.js';
import { runWeekTime } from './scheduled-time.js';
import { Semaphore } from './semaphore.js';
import { serveRunState } from './serve-run-state.js';
import { wireSwavInit } from './swav-init.js';

export type { PipelineRunResult } from './run-result.js';

/** Fills params a stage asked the run for: `runId: "auto"`, and `isoWeek: "auto"` (scheduled runs only). */
function withRunParams(nodes: DagNode[], runId: string, week: string | null): DagNode[] {
  return nodes.map((n) => {
    const params = { ...n.params };
    if (params.runId === 'auto') params.runId = runId;
    if (params.isoWeek === 'auto') params.isoWeek = week;
    return { ...n, params };
  });
}

/** Volatile nodes always recompute; their content digests keep what is downstream cached. */
function volatileNodes(nodes: DagNode[]): string[] {
  return nodes.filter((n) => n.volatile).map((n) => n.id);
}

/** Each sweep point runs as a `dagGroupRun` child workflow, at most `maxParallel` at a time. */
function sweepPoints(maxParallel: number): SweepPoints {
  return {
    slots: new Semaphore(maxParallel),
    run: (workflowId, input) => executeChild(dagGroupRun, { workflowId, args: [input] }),
  };
}

/**
 * Runs a whole pipeline plan: shared stages here, each sweep point (node group) in a child workflow.
 * Deterministic orchestration only; every stage runs as an activity. A run with failed nodes fails once
 * everything else has finished (the report included), its result riding in the failure.
 */
export async function pipelineRun(raw: PipelineRunInput): Promise<PipelineRunResult> {
  // Typed for its callers, parsed all the same: a schedule or an older client may send anything.
  const parsed = PipelineRunInputSchema.safeParse(raw);
  if (!parsed.success)
    throw ApplicationFailure.nonRetryable(formatZodError(parsed.error, 'pipelineRun input'));
  const { plan, options } = parsed.data;
  validateDag(plan.nodes);
  const week = isoWeekLabel(runWeekTime());
  const warm = await wireSwavInit(
    withRunParams(plan.nodes, workflowInfo().workflowId, parsed.data.scheduled ? week : null),
    { pipeline: plan.pipeline, runId: workflowInfo().workflowId },
  );
  const nodes = warm.nodes;
  const forced = options.force
    ? new Set(nodes.map((n) => n.id))
    : new Set([
        ...withDescendants(nodes, nodesOfStages(nodes, options.recomputeStages)),
        ...volatileNodes(nodes),
      ]);

  const state: RunState = {
    pipeline: plan.pipeline,
    startedAt: Date.now(),
    status: 'running',
    nodes: initialStates(nodes),
  };
  serveRunState(state);

  const ctx: ExecContext = {
    state,
    external: warm.external,
    forced,
    taskQueues: options.taskQueues,
    groups: sweepPoints(options.maxParallelGroups),
  };
  try {
    const refs = await executeNodes(ctx, nodes);
    state.finishedAt = Date.now();
    const result: PipelineRunResult = {
      pipeline: plan.pipeline,
      isoWeek: week,
      nodes: state.nodes,
      refs,
      // The run's own clock, so `status` of a finished run prints the duration `run` printed.
      startedAt: state.startedAt,
      finishedAt: state.finishedAt,
    };
    const failure = failureSummary(state.nodes);
    if (failure !== undefined) throw partialRunFailure('PipelineFailed', failure, result);
    state.status = 'completed';
    return result;
  } catch (err) {
    state.status = 'failed';
    throw err;
  } finally {
    state.finishedAt ??= Date.now();
    // After the outcome is known, failed nodes or not; guarded so runs recorded before alerts still replay.
    if (plan.notify && patched(NOTIFY_PATCH))
      await sendRunAlert(plan.notify, state, workflowInfo().workflowId, week);
    if (plan.gc && patched(GC_PATCH)) await collectAfterRun(plan.gc);
  }
}
