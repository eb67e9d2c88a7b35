import type { Workbook } from 'exceljs';
import { sumConfusion } from '../confusion.js';
import type { ReportInput } from '../model.js';
import type { SummaryRow } from '../summary.js';
import { bestConfigurationLabel } from './per-class-sheet.js';
import {
  addHeatMapColourScale,
  columnLetter,
  setColumnWidths,
  styleHeaderRow,
  styleSectionRow,
  styleTitleRow,
} from './style.js';

export const CONFUSION_SHEET = 'Confusion';
export const CONFUSION_NOTE = 'rows = true, columns = predicted; counts summed over seeds';
export const CONFUSION_CORNER = 'true \\ predicted';

/** One heat-mapped confusion matrix per backbone, at its best configuration. */
export function addConfusionSheet(workbook: Workbook, input: ReportInput, best: readonly SummaryRow[]): void {
  const sheet = workbook.addWorksheet(CONFUSION_SHEET);
  const k = input.classNames.length;
  styleTitleRow(sheet.addRow(['Confusion matrices at each backbone’s best configuration']));
  sheet.addRow([CONFUSION_NOTE]).font = { italic: true };
  best.forEach((row, block) => {
    sheet.addRow([]);
    styleSectionRow(sheet.addRow([bestConfigurationLabel(row)]));
    styleHeaderRow(sheet.addRow([CONFUSION_CORNER, ...input.classNames]));
    const matrix = sumConfusion(row.configuration.seeds, k);
    const firstRow = sheet.rowCount + 1;
    matrix.forEach((counts, t) => {
      sheet.addRow([input.classNames[t], ...counts]).getCell(1).font = { bold: true };
    });
    // Each matrix gets its own scale: seeds and test sizes differ between blocks.
    addHeatMapColourScale(sheet, `B${firstRow}:${columnLetter(k + 1)}${firstRow + k - 1}`, block + 1);
  });
  setColumnWidths(sheet, [20, ...input.classNames.map((name) => Math.max(10, name.length + 2))]);
}
