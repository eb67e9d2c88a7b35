import type { Workbook } from 'exceljs';
import { describeConfiguration, formatFraction } from '../format.js';
import type { ReportInput } from '../model.js';
import { averagePerClass, macroAverage } from '../per-class.js';
import type { SummaryRow } from '../summary.js';
import { setColumnWidths, styleHeaderRow, styleSectionRow, styleTitleRow, styleTotalRow } from './style.js';

export const PER_CLASS_SHEET = 'Per class';
export const PER_CLASS_HEADERS = ['Class', 'Precision', 'Recall', 'F1', 'Support'];

/** One block per backbone, at that backbone's best configuration, averaged over its seeds. */
export function addPerClassSheet(workbook: Workbook, input: ReportInput, best: readonly SummaryRow[]): void {
  const sheet = workbook.addWorksheet(PER_CLASS_SHEET);
  styleTitleRow(sheet.addRow(['Per-class metrics at each backbone’s best configuration (mean over seeds)']));
  for (const row of best) {
    sheet.addRow([]);
    styleSectionRow(sheet.addRow([bestConfigurationLabel(row)]));
    styleHeaderRow(sheet.addRow(PER_CLASS_HEADERS));
    const metrics = averagePerClass(row.configuration.seeds, input.classNames);
    for (const m of metrics) sheet.addRow([m.cls, m.precision, m.recall, m.f1, m.support]);
    const macro = macroAverage(metrics);
    styleTotalRow(sheet.addRow(['Macro average', macro.precision, macro.recall, macro.f1, macro.support]));
  }
  setColumnWidths(sheet, [24, 12, 12, 12, 12]);
  for (const column of [2, 3, 4]) sheet.getColumn(column).numFmt = '0.000';
  sheet.getColumn(5).numFmt = '#,##0';
}

/** Says which configuration a block shows, since it differs per backbone. */
export function bestConfigurationLabel(row: SummaryRow): string {
  return `${row.backbone} — best: ${describeConfiguration(row)} at ${formatFraction(row.fractionPct)} % labels (${row.seedCount} seeds)`;
}
