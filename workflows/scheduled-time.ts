import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { patched, workflowInfo } from '@temporalio/workflow';

/** Set by Temporal on every run a schedule starts (also by a backfill or a late catch-up): the time it stands for. */
const SCHEDULED_START = defineSearchAttributeKey('TemporalScheduledStartTime', SearchAttributeType.DATETIME);

/** patched() id (README "Upgrading"): runs recorded before it keep the week of their start time on replay. */
export const SCHEDULED_WEEK_PATCH = 'week-from-scheduled-time';

/**
 * The time whose ISO week labels the run: a scheduled run's scheduled time, so a backfilled or late run is
 * labelled with the week it stands for; any other run's start time.
 */
export function runWeekTime(): Date {
  const info = workflowInfo();
  if (!patched(SCHEDULED_WEEK_PATCH)) return info.startTime;
  return info.typedSearchAttributes.get(SCHEDULED_START) ?? info.startTime;
}
