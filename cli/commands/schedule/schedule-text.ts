import type { Client, ScheduleDescription } from '@temporalio/client';

export interface ScheduleListing {
  id: string;
  paused: boolean;
  note?: string;
  nextRun?: string;
}

export async function listSchedules(client: Client): Promise<ScheduleListing[]> {
  const out: ScheduleListing[] = [];
  for await (const s of client.schedule.list()) {
    const next = s.info.nextActionTimes[0];
    out.push({
      id: s.scheduleId,
      paused: s.state.paused,
      ...(s.state.note ? { note: s.state.note } : {}),
      ...(next ? { nextRun: next.toISOString() } : {}),
    });
  }
  return out.sort((a, b) => a.id.localeCompare(b.id));
}

/** `describe` output: what runs when, whether it is paused, and which workflows it started lately. */
export function describeSchedule(d: ScheduleDescription): string[] {
  const calendars = d.spec.calendars ?? [];
  const when = calendars.map((c) => {
    const days = c.dayOfWeek.map((r) => r.start).join(',');
    const hours = c.hour.map((r) => String(r.start).padStart(2, '0')).join(',');
    return `${days} ${hours}:00 ${d.spec.timezone || 'UTC'}`;
  });
  const action =
    d.action.type === 'startWorkflow' ? `${d.action.workflowType} on ${d.action.taskQueue}` : d.action.type;
  return [
    `schedule ${d.scheduleId}`,
    `  runs      ${when.join('; ') || '(no calendar)'}`,
    `  action    ${action}`,
    `  state     ${d.state.paused ? 'paused' : 'active'}${d.state.note ? ` (${d.state.note})` : ''}`,
    `  overlap   ${d.policies.overlap}, catch-up window ${Math.round(d.policies.catchupWindow / 3_600_000)} h`,
    '  next runs',
    ...d.info.nextActionTimes.slice(0, 5).map((t) => `    ${t.toISOString()}`),
    '  recent runs',
    ...(d.info.recentActions.length === 0
      ? ['    (none yet)']
      : d.info.recentActions.map((a) => `    ${a.takenAt.toISOString()}  ${a.action.workflow.workflowId}`)),
  ];
}
