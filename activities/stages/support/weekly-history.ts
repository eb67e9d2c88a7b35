import { z } from 'zod';
import { formatZodError } from '../../../config/errors.js';
import type { VsLastWeek } from '../../../report/weekly.js';
import type { Bucket } from '../../../store/artefacts.js';
import { isNotFound, readObject } from '../../../store/s3.js';

/** One scheduled run as the next one compares against it. */
const WeekEntrySchema = z.object({
  runId: z.string(),
  week: z.string().nullable(),
  /** Mean accuracy per backbone/head/fraction. */
  accuracy: z.record(z.string(), z.number()),
  /** Share of predicted facings per class. */
  shelfShare: z.record(z.string(), z.number()),
  champion: z.string().nullable(),
});
export type WeekEntry = z.infer<typeof WeekEntrySchema>;
const WeeksFileSchema = z.object({ series: z.string(), entries: z.array(WeekEntrySchema) });

const weeksKey = (series: string) => `schedules/${series}/weeks.json`;

async function readWeeks(b: Bucket, series: string): Promise<WeekEntry[]> {
  let raw: Buffer;
  try {
    raw = await readObject(b.s3, b.bucket, weeksKey(series));
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  const parsed = WeeksFileSchema.safeParse(JSON.parse(raw.toString('utf8')));
  if (!parsed.success) throw new Error(formatZodError(parsed.error, weeksKey(series)));
  return parsed.data.entries;
}

function deltas(before: Record<string, number>, now: Record<string, number>) {
  return [...new Set([...Object.keys(before), ...Object.keys(now)])]
    .sort()
    .map((key) => ({ key, before: before[key] ?? null, now: now[key] ?? null }));
}

/** A run's entry in its series and the entry before it (undefined where there is none). */
export async function weekOfRun(
  b: Bucket,
  series: string,
  runId: string,
): Promise<{ entry: WeekEntry | undefined; previous: WeekEntry | undefined }> {
  const entries = await readWeeks(b, series);
  const at = entries.findIndex((e) => e.runId === runId);
  return at < 0
    ? { entry: undefined, previous: undefined }
    : { entry: entries[at], previous: entries[at - 1] };
}

/**
 * Records this scheduled run in its series (`schedules/<series>/weeks.json`, the run replacing an earlier
 * attempt of itself) and returns how it compares with the previous run, or null for the first.
 */
export async function recordWeek(b: Bucket, series: string, entry: WeekEntry): Promise<VsLastWeek | null> {
  const entries = (await readWeeks(b, series)).filter((e) => e.runId !== entry.runId);
  const previous = entries.at(-1);
  const body = Buffer.from(`${JSON.stringify({ series, entries: [...entries, entry] }, null, 2)}\n`);
  await b.s3.putObject(b.bucket, weeksKey(series), body, body.length, { 'Content-Type': 'application/json' });
  if (!previous) return null;
  return {
    previousRunId: previous.runId,
    previousWeek: previous.week,
    accuracy: deltas(previous.accuracy, entry.accuracy),
    shelfShare: deltas(previous.shelfShare, entry.shelfShare),
    champion: { before: previous.champion, now: entry.champion },
  };
}
