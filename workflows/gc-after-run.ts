import { log, proxyActivities } from '@temporalio/workflow';
import type { FixedActivities } from '../activities/index.js';
import type { GcConfig } from '../pipelines/gc-config.js';

/** patched() id of the gc step (README "Upgrading"). */
export const GC_PATCH = 'gc-after-run';

const { gcAfterRun } = proxyActivities<FixedActivities>({
  startToCloseTimeout: '30 minutes',
  retry: { maximumAttempts: 2, initialInterval: '10 seconds' },
});

/** Collects garbage after the run; a failed gc is logged and tried again after the next run, never fails this one. */
export async function collectAfterRun(rules: GcConfig): Promise<void> {
  try {
    await gcAfterRun(rules);
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    log.warn(`gc after run failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}
