import { type Client, type DayOfWeek, type ScheduleHandle, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Settings } from '../../../config/settings.js';
import type { DagPlan } from '../../../pipelines/dag.js';
import { pipelineRun } from '../../../workflows/pipeline-run.js';
import { CONFIG_HASH_KEY, configHash, pipelineRunInput, runMemo } from '../../runs.js';

export interface WeeklySpec {
  /** UTC day and hour of the weekly run; Monday 06:00 UTC gives the team a fresh report at the start of the week. */
  dayOfWeek: DayOfWeek;
  hour: number;
}

export const DEFAULT_WEEKLY: WeeklySpec = { dayOfWeek: 'MONDAY', hour: 6 };

export interface PipelineScheduleOptions {
  id: string;
  plan: DagPlan;
  weekly?: WeeklySpec;
  note?: string;
}

/**
 * A Temporal Schedule that starts `pipelineRun` weekly with `scheduled: true` (the report is labelled with the
 * run's ISO week). SKIP: a run still going when the next is due is not doubled; a 1-day catch-up window
 * still takes a run missed by a short outage (not a week of them).
 */
export async function createPipelineSchedule(
  client: Client,
  settings: Settings,
  opts: PipelineScheduleOptions,
): Promise<ScheduleHandle> {
  const weekly = opts.weekly ?? DEFAULT_WEEKLY;
  return await client.schedule.create({
    scheduleId: opts.id,
    spec: {
      calendars: [
        { dayOfWeek: weekly.dayOfWeek, hour: weekly.hour, minute: 0, comment: 'shelfssl weekly run' },
      ],
    },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 day' },
    action: {
      type: 'startWorkflow',
      workflowType: pipelineRun,
      // Temporal appends the scheduled time to this id, so every run gets its own.
      workflowId: `${opts.plan.pipeline}-sched-${opts.id}`,
      taskQueue: settings.temporal.taskQueues.cpu,
      args: [pipelineRunInput(settings, opts.plan, { scheduled: true })],
      typedSearchAttributes: [{ key: CONFIG_HASH_KEY, value: configHash(opts.plan) }],
      memo: runMemo(opts.plan),
    },
    memo: runMemo(opts.plan),
    ...(opts.note ? { state: { note: opts.note } } : {}),
  });
}
