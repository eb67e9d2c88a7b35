import { ApplicationFailure, setHandler, workflowInfo } from '@temporalio/workflow';
import { formatZodError } from '../config/errors.js';
import { type DagNode, nodesOfStages, validateDag, withDescendants } from '../pipelines/dag.js';
import { isoWeekLabel } from '../pipelines/iso-week.js';
import { type ExecContext, executeNodes, initialStates } from './executor.js';
import { PipelineRunInputSchema } from './run-input.js';
import { failureSummary, type PipelineRunResult, partialRunFailure } from './run-result.js';
import { type RunState, runStateQuery, stageProgressSignal } from './run-state.js';
import { Semaphore } from './semaphore.js';

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

/**
 * Runs a whole pipeline plan: shared stages here, each sweep point (node group) in a child workflow.
 * Deterministic orchestration only; every stage runs as an activity. A run with failed nodes fails once
 * everything else has finished (the report included), its result riding in the failure.
 */
export async function pipelineRun(raw: unknown): Promise<PipelineRunResult> {
  const parsed = PipelineRunInputSchema.safeParse(raw);
  if (!parsed.success)
    throw ApplicationFailure.nonRetryable(formatZodError(parsed.error, 'pipelineRun input'));
  const { plan, options } = parsed.data;
  validateDag(plan.nodes);
  const week = isoWeekLabel(workflowInfo().startTime);
  const nodes = withRunParams(plan.nodes, workflowInfo().workflowId, parsed.data.scheduled ? week : null);
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
  setHandler(runStateQuery, () => state);
  setHandler(stageProgressSignal, ({ nodeId, progress }) => {
    const s = state.nodes.find((n) => n.id === nodeId);
    if (s && s.status === 'running') s.progress = progress;
  });

  const ctx: ExecContext = {
    state,
    external: {},
    forced,
    taskQueues: options.taskQueues,
    groups: new Semaphore(options.maxParallelGroups),
  };
  try {
    const refs = await executeNodes(ctx, nodes);
    const result: PipelineRunResult = { pipeline: plan.pipeline, isoWeek: week, nodes: state.nodes, refs };
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
