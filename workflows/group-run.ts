import { ApplicationFailure, setHandler } from '@temporalio/workflow';
import { formatZodError } from '../config/errors.js';
import type { ArtefactRef } from '../store/artefact-schema.js';
import { executeNodes, initialStates } from './executor.js';
import { GroupRunInputSchema } from './run-input.js';
import { type NodeState, type RunState, runStateQuery, stageProgressSignal } from './run-state.js';

export interface GroupRunResult {
  nodes: NodeState[];
  refs: Record<string, ArtefactRef>;
}

/** One sweep point (e.g. 10 % labels, seed 1): its nodes, fed by artefacts the parent already has. */
export async function dagGroupRun(raw: unknown): Promise<GroupRunResult> {
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
  setHandler(runStateQuery, () => state);
  setHandler(stageProgressSignal, ({ nodeId, progress }) => {
    const s = state.nodes.find((n) => n.id === nodeId);
    if (s && s.status === 'running') s.progress = progress;
  });
  try {
    const refs = await executeNodes(
      { state, external: input.external, forced: new Set(input.forced), taskQueues: input.taskQueues },
      input.nodes,
    );
    state.status = 'completed';
    return { nodes: state.nodes, refs };
  } catch (err) {
    state.status = 'failed';
    throw err;
  }
}
