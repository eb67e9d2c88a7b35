import type { Workbook } from 'exceljs';
import type { Weekly } from '../weekly.js';
import { setColumnWidths, styleHeaderRow, styleSectionRow, styleTitleRow } from './style.js';

export const WEEKLY_SHEET = 'Vs last week';

const delta = (before: number | null, now: number | null) =>
  before === null || now === null ? null : now - before;

/** Scheduled runs only: the champion/challenger decision with its reason, then this week against the last. */
export function addWeeklySheet(workbook: Workbook, weekly: Weekly): void {
  const sheet = workbook.addWorksheet(WEEKLY_SHEET);
  styleTitleRow(sheet.addRow(['Champion and last week']));
  styleSectionRow(sheet.addRow(['Champion / challenger', '', '', '']));
  const c = weekly.champion;
  if (!c) sheet.addRow(['(no champion alias configured)']);
  else {
    sheet.addRow(['Alias', c.alias]);
    sheet.addRow(['Decision', c.promoted ? 'promoted the challenger' : 'kept the champion']);
    sheet.addRow(['Why', c.reason]);
    sheet.addRow(['Challenger', c.challenger.model, c.challenger.accuracy]);
    if (c.champion) sheet.addRow(['Champion', c.champion.model, c.champion.accuracy]);
    sheet.addRow(['Margin', c.margin]);
  }
  sheet.addRow([]);
  const v = weekly.vsLastWeek;
  styleSectionRow(sheet.addRow([v ? `Vs ${v.previousWeek ?? v.previousRunId}` : 'Vs last week', '', '', '']));
  if (!v) {
    sheet.addRow(['(first scheduled run: nothing to compare with)']);
  } else {
    sheet.addRow(['Previous run', v.previousRunId]);
    sheet.addRow(['Champion', v.champion.before ?? '(none)', v.champion.now ?? '(none)']);
    styleHeaderRow(sheet.addRow(['Accuracy', 'Last week', 'This week', 'Delta']));
    for (const d of v.accuracy) sheet.addRow([d.key, d.before, d.now, delta(d.before, d.now)]);
    styleHeaderRow(sheet.addRow(['Shelf share', 'Last week', 'This week', 'Delta']));
    for (const d of v.shelfShare) sheet.addRow([d.key, d.before, d.now, delta(d.before, d.now)]);
  }
  for (let col = 2; col <= 4; col++) sheet.getColumn(col).numFmt = '0.0%';
  setColumnWidths(sheet, [28, 48, 14, 12]);
}
