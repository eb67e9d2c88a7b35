import { proxyActivities } from '@temporalio/workflow';
import type { FixedActivities } from '../activities/index.js';
import type { SmokeInput, SmokeResult } from '../activities/smoke.js';

const { smokeWriteRead } = proxyActivities<FixedActivities>({
  startToCloseTimeout: '1 minute',
  retry: { maximumAttempts: 5, initialInterval: '1 second' },
});

/** The smallest real path through the system: Temporal schedules an activity that round-trips MinIO. */
export async function smokeWorkflow(input: SmokeInput): Promise<SmokeResult> {
  return await smokeWriteRead(input);
}
