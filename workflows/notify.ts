import { log, proxyActivities } from '@temporalio/workflow';
import type { FixedActivities } from '../activities/index.js';
import type { Notify } from '../pipelines/notify.js';
import type { RunState } from './run-state.js';

/** patched() id of the alert step (README "Upgrading"): runs recorded before it replay without it. */
export const NOTIFY_PATCH = 'notify-webhook';

// Bounded: three tries within about a minute, then the run ends as it would have without alerts.
const { notifyRun } = proxyActivities<FixedActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { maximumAttempts: 3, initialInterval: '2 seconds', backoffCoefficient: 2 },
});

/** Sends the run's alert (the activity decides whether `notify.on` wants it); never throws. */
export async function sendRunAlert(
  notify: Notify,
  state: RunState,
  runId: string,
  week: string,
): Promise<void> {
  const failedNodes = state.nodes
    .filter((n) => n.status === 'failed')
    .map((n) => ({ node: n.id, stage: n.stage, error: n.error ?? 'failed' }));
  try {
    await notifyRun({
      notify,
      runId,
      pipeline: state.pipeline,
      week,
      status: state.status === 'completed' ? 'completed' : 'failed',
      failedNodes,
      skipped: state.nodes.filter((n) => n.status === 'skipped').length,
    });
  } catch (err) {
    // The activity's errors name the webhook redacted; a dead webhook must not fail the run.
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    log.warn(`run alert not sent: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
