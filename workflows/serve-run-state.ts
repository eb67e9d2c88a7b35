import { setHandler } from '@temporalio/workflow';
import { StageProgressUpdateSchema, stageProgressSignal } from '../pipelines/progress.js';
import { type RunState, runStateQuery } from './run-state.js';

/**
 * Answers `runStateQuery` with `state` and folds stage progress signals into its running nodes. A signal that
 * does not parse is dropped: progress is advisory, and a bad one must not fail the run.
 */
export function serveRunState(state: RunState): void {
  setHandler(runStateQuery, () => state);
  setHandler(stageProgressSignal, (raw) => {
    const update = StageProgressUpdateSchema.safeParse(raw);
    if (!update.success) return;
    const node = state.nodes.find((n) => n.id === update.data.nodeId);
    if (node && node.status === 'running') node.progress = update.data.progress;
  });
}
