/**
 * ISO-8601 week label (e.g. `2026-W53`) for a date, taken in UTC so that a
 * weekly report gets the same label whichever timezone the worker runs in.
 */
export function isoWeekLabel(date: Date): string {
  const { isoYear, week } = isoWeekOf(date);
  return `${isoYear}-W${String(week).padStart(2, '0')}`;
}

const MS_PER_DAY = 86_400_000;

/** The ISO week is the one holding that week's Thursday; its year is the Thursday's year. */
function isoWeekOf(date: Date): { isoYear: number; week: number } {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const isoWeekday = day.getUTCDay() === 0 ? 7 : day.getUTCDay();
  day.setUTCDate(day.getUTCDate() + 4 - isoWeekday);
  const isoYear = day.getUTCFullYear();
  const dayOfYear = (day.getTime() - Date.UTC(isoYear, 0, 1)) / MS_PER_DAY;
  return { isoYear, week: Math.floor(dayOfYear / 7) + 1 };
}
