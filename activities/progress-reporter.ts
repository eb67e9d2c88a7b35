import { Context } from '@temporalio/activity';
import { type StageProgress, stageProgressSignal } from '../pipelines/progress.js';

/**
 * Heartbeats every report (the SDK throttles heartbeats itself) and, at most every `signalEveryMs`,
 * signals the workflow so its query shows live progress. Signal failures never fail the stage.
 */
export function createProgressReporter(nodeId: string, signalEveryMs: number): (p: StageProgress) => void {
  const ctx = Context.current();
  let lastSignal = 0;
  let inFlight = false;
  return (p: StageProgress) => {
    const withTime = { ...p, at: Date.now() };
    ctx.heartbeat(withTime);
    const execution = ctx.info.workflowExecution;
    if (!execution || inFlight || withTime.at - lastSignal < signalEveryMs) return;
    lastSignal = withTime.at;
    inFlight = true;
    ctx.client.workflow
      .getHandle(execution.workflowId, execution.runId)
      .signal(stageProgressSignal, { nodeId, progress: withTime })
      .catch(() => {})
      .finally(() => {
        inFlight = false;
      });
  };
}
