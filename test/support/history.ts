import type { WorkflowHandle } from '@temporalio/client';

/**
 * The attempt number of each start of the named activity in a run's history. Temporal records only the
 * last attempt's start, so `[1]` means the activity ran once and was not retried.
 */
export async function activityAttempts(handle: WorkflowHandle, activityType: string): Promise<number[]> {
  const events = (await handle.fetchHistory()).events ?? [];
  const scheduled = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activityType)
      .map((e) => String(e.eventId)),
  );
  return events
    .map((e) => e.activityTaskStartedEventAttributes)
    .filter((a) => a && scheduled.has(String(a.scheduledEventId)))
    .map((a) => a?.attempt ?? 0);
}
