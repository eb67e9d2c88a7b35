import { type Client, ScheduleOverlapPolicy } from '@temporalio/client';
import { z } from 'zod';

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** `2026-10-05` (a whole UTC day: its start for --from, its end for --to) or an ISO 8601 time with a zone. */
function dateFlag(edge: 'start' | 'end') {
  return z
    .string({ error: 'required: a date, e.g. 2026-10-05 (UTC) or 2026-10-05T06:00:00Z' })
    .refine((s) => (DAY.test(s) || /[zZ]|[+-]\d{2}:?\d{2}$/.test(s)) && !Number.isNaN(Date.parse(s)), {
      message: 'a date (2026-10-05, UTC) or an ISO 8601 time with a zone (2026-10-05T06:00:00Z)',
    })
    .transform((s) =>
      DAY.test(s) && edge === 'end' ? new Date(Date.parse(`${s}T23:59:59.999Z`)) : new Date(Date.parse(s)),
    );
}

// The range check runs even when a date failed to parse (zod reports every issue): it checks only dates.
export const BackfillFlags = z
  .object({ from: dateFlag('start'), to: dateFlag('end') })
  .refine((f) => !(f.from instanceof Date && f.to instanceof Date) || f.from <= f.to, {
    message: '--from must not be after --to',
    path: ['to'],
  });
export type BackfillRange = z.output<typeof BackfillFlags>;

/**
 * Asks Temporal to start the runs the schedule would have started in [from, to] (a paused schedule too).
 * BUFFER_ALL, not the schedule's SKIP: the backfilled weeks run one after another instead of being skipped
 * while the first still runs. Each run is labelled with the ISO week of its scheduled time.
 */
export async function backfillSchedule(client: Client, id: string, range: BackfillRange): Promise<void> {
  await client.schedule
    .getHandle(id)
    .backfill({ start: range.from, end: range.to, overlap: ScheduleOverlapPolicy.BUFFER_ALL });
}
