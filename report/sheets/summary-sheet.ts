import type { Workbook } from 'exceljs';
import { formatMeanStd } from '../format.js';
import { describeHeadline } from '../headline.js';
import type { ReportInput } from '../model.js';
import type { SummaryRow } from '../summary.js';
import { incompleteNotice } from './failed-sheet.js';
import {
  addGoodHighColourScale,
  freezeRows,
  setColumnWidths,
  setNumberFormat,
  styleHeaderRow,
  styleTitleRow,
} from './style.js';

export const SUMMARY_SHEET = 'Summary';
export const SUMMARY_HEADERS = [
  'Backbone',
  'Head',
  '% labelled',
  'Accuracy (mean)',
  'Accuracy (std)',
  'Accuracy (mean ± std)',
  'L-BFGS iterations (mean)',
  'Training time (s, mean)',
  'Seeds',
];
/** Title, run line, headline sentence, blank (or the incomplete notice), header: data starts on row 6. */
export const SUMMARY_HEADER_ROW = 5;

/** Table 2: one row per backbone × head mode × % labelled, with seed statistics. */
export function addSummarySheet(workbook: Workbook, input: ReportInput, rows: readonly SummaryRow[]): void {
  const sheet = workbook.addWorksheet(SUMMARY_SHEET);
  styleTitleRow(sheet.addRow([`${input.title} — ${input.weekLabel ?? 'ad-hoc run'}`]));
  sheet.addRow([`Run ${input.runId} · generated ${input.generatedAt}`]).font = {
    color: { argb: 'FF595959' },
  };
  sheet.addRow([describeHeadline(rows)]).font = { italic: true, bold: true };
  // Row 4 is blank unless configurations failed: then it says so above the table it affects.
  if (input.failures)
    sheet.addRow([incompleteNotice(input.failures)]).font = { bold: true, color: { argb: 'FFC00000' } };
  else sheet.addRow([]);
  styleHeaderRow(sheet.addRow(SUMMARY_HEADERS));
  for (const row of rows) {
    sheet.addRow([
      row.backbone,
      row.headMode,
      row.fractionPct,
      row.accuracyMean,
      row.accuracyStd,
      formatMeanStd(row.accuracyMean, row.accuracyStd),
      row.iterationsMean,
      row.trainSecondsMean,
      row.seedCount,
    ]);
  }
  setColumnWidths(sheet, [16, 18, 12, 16, 15, 22, 15, 22, 8]);
  setNumberFormat(sheet, 4, '0.0%');
  setNumberFormat(sheet, 5, '0.0%');
  setNumberFormat(sheet, 7, '0.0');
  setNumberFormat(sheet, 8, '#,##0.0');
  freezeRows(sheet, SUMMARY_HEADER_ROW);
  if (rows.length > 0) {
    const first = SUMMARY_HEADER_ROW + 1;
    addGoodHighColourScale(sheet, `D${first}:D${first + rows.length - 1}`);
  }
}
