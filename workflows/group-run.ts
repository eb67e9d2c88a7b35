import { ApplicationFailure } from '@temporalio/workflow';
import { formatZodError } from '../config/errors.js';
import { executeNodes, initialStates } from './executor.js';
import { GroupRunInputSchema, type GroupRunRequest } from './run-input.js';
import { failureSummary, type GroupRunResult, partialRunFailure } from './run-result.js';
import type { RunState } from './run-state.js';
import { serveRunState } from './serve-run-state.js';

export type { GroupRunResult } from './run-result.js';

/**
 * One sweep point (e.g. 10 % labels, seed 1): its nodes, fed by artefacts the parent already has. Members
 * downstream of an input that failed in the parent are skipped; with any failed or skipped member the point
 * fails, carrying its states and artefacts to the parent.
 */
export async function dagGroupRun(raw: GroupRunRequest): Promise<GroupRunResult> {
  // Typed for the parent, parsed all the same: workflow input is outside input.
  const parsed = GroupRunInputSchema.safeParse(raw);
  if (!parsed.success)
    throw ApplicationFailure.nonRetryable(formatZodError(parsed.error, 'dagGroupRun input'));
  const input = parsed.data;
  const state: RunState = {
    pipeline: `${input.pipeline}/${input.group}`,
    startedAt: Date.now(),
    status: 'running',
    nodes: initialStates(input.nodes),
  };
  serveRunState(state);
  try {
    const refs = await executeNodes(
      {
        state,
        external: input.external,
        failedExternal: input.failedExternal,
        forced: new Set(input.forced),
        taskQueues: input.taskQueues,
      },
      input.nodes,
    );
    const result: GroupRunResult = { nodes: state.nodes, refs };
    const failure = failureSummary(state.nodes);
    if (failure !== undefined) throw partialRunFailure('GroupFailed', failure, result);
    state.status = 'completed';
    return result;
  } catch (err) {
    state.status = 'failed';
    throw err;
  }
}
