import type { Workbook } from 'exceljs';
import type { ReportInput } from '../model.js';
import { setColumnWidths, styleHeaderRow, styleSectionRow, styleTitleRow } from './style.js';

export const DATA_QUALITY_SHEET = 'Data quality';
export const BAD_ROWS_HEADERS = ['Reason', 'Count', 'Examples'];
/** Enough examples to find the problem in the source CSV without flooding the cell. */
const MAX_EXAMPLES = 5;

export function addDataQualitySheet(workbook: Workbook, input: ReportInput): void {
  const sheet = workbook.addWorksheet(DATA_QUALITY_SHEET);
  const { ingest, crops, bad } = input.dataQuality;
  styleTitleRow(sheet.addRow(['Data quality']));

  styleSectionRow(sheet.addRow(['Ingest', 'Count']));
  sheet.addRow(['Annotation rows', ingest.rows]);
  sheet.addRow(['Good boxes', ingest.goodBoxes]);
  sheet.addRow(['Images', ingest.images]);
  for (const [split, n] of Object.entries(ingest.bySplit)) sheet.addRow([`Images (${split})`, n]);

  sheet.addRow([]);
  styleSectionRow(sheet.addRow(['Crops', 'Count']));
  sheet.addRow(['Labelled', crops.labelled]);
  sheet.addRow(['Unlabelled', crops.unlabelled]);
  sheet.addRow(['Test', crops.test]);

  sheet.addRow([]);
  styleSectionRow(sheet.addRow(['Rejected rows']));
  styleHeaderRow(sheet.addRow(BAD_ROWS_HEADERS));
  const reasons = Object.entries(bad).sort(([, a], [, b]) => b.count - a.count);
  if (reasons.length === 0) sheet.addRow(['(none)', 0, '']);
  for (const [reason, { count, examples }] of reasons) {
    sheet.addRow([reason, count, examples.slice(0, MAX_EXAMPLES).join('; ')]);
  }
  setColumnWidths(sheet, [28, 12, 70]);
  sheet.getColumn(2).numFmt = '#,##0';
}
