import type { Workbook } from 'exceljs';
import type { ReportInput } from '../model.js';
import { freezeRows, setColumnWidths, styleHeaderRow } from './style.js';

export const SUGGESTIONS_SHEET = 'To label';
export const SUGGESTIONS_HEADERS = [
  '#',
  'Box id',
  'Image',
  'x1',
  'y1',
  'x2',
  'y2',
  'Suggested class',
  'Confidence',
  'Uncertainty',
];

/** The crops to label next (to-label.csv and contact-sheet.png of the suggest artefact hold the same rows). */
export function addSuggestionsSheet(
  workbook: Workbook,
  suggestions: NonNullable<ReportInput['suggestions']>,
): void {
  const sheet = workbook.addWorksheet(SUGGESTIONS_SHEET);
  sheet.addRow([
    `${suggestions.rows.length} of ${suggestions.candidates} unlabelled crops, strategy ${suggestions.strategy}, ` +
      `head ${suggestions.head} (${suggestions.labelled} labelled crops)`,
  ]);
  styleHeaderRow(sheet.addRow(SUGGESTIONS_HEADERS));
  suggestions.rows.forEach((r, i) => {
    sheet.addRow([i + 1, r.boxId, r.image, ...r.box, r.suggested, r.confidence, r.uncertainty]);
  });
  setColumnWidths(sheet, [6, 22, 18, 7, 7, 7, 7, 16, 12, 12]);
  sheet.getColumn(9).numFmt = '0.0%';
  sheet.getColumn(10).numFmt = '0.000';
  freezeRows(sheet, 2);
}
