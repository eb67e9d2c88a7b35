import type { Workbook } from 'exceljs';
import { formatFraction, formatMeanStd } from '../format.js';
import type { ReportInput } from '../model.js';
import { describeReading } from '../reading.js';
import type { SummaryRow } from '../summary.js';
import { setColumnWidths, styleHeaderRow, styleTitleRow } from './style.js';

export const TABLE2_SHEET = 'Table 2';

const ROLE_TEXT = {
  control: 'control (random init)',
  'in-domain': 'trained on these crops',
  'out-of-domain': 'imported (out of domain)',
} as const;

/**
 * The paper's Table 2 as the paper prints it: one row per experiment (backbone) and head, one column per %
 * labelled, "mean ± std" over seeds; above it the generated reading of what the table says.
 */
export function addTable2Sheet(workbook: Workbook, input: ReportInput, rows: readonly SummaryRow[]): void {
  const roles = input.backboneRoles;
  if (!roles) return;
  const sheet = workbook.addWorksheet(TABLE2_SHEET);
  styleTitleRow(sheet.addRow([`${input.title}: Table 2`]));
  const reading = sheet.addRow([describeReading(rows, roles)]);
  reading.alignment = { wrapText: true, vertical: 'top' };
  sheet.mergeCells(reading.number, 1, reading.number, 9);
  reading.height = 120;
  sheet.addRow([]);
  const fractions = [...new Set(rows.map((r) => r.fractionPct))].sort((a, b) => a - b);
  styleHeaderRow(
    sheet.addRow(['Backbone', 'Role', 'Head', ...fractions.map((f) => `${formatFraction(f)} % labels`)]),
  );
  const keys = [...new Set(rows.map((r) => `${r.backbone}\u0000${r.headMode}`))];
  for (const key of keys) {
    const [backbone = '', head = ''] = key.split('\u0000');
    const cells = fractions.map((f) => {
      const r = rows.find((x) => x.backbone === backbone && x.headMode === head && x.fractionPct === f);
      return r ? formatMeanStd(r.accuracyMean, r.accuracyStd) : '-';
    });
    const role = roles[backbone];
    sheet.addRow([backbone, role ? ROLE_TEXT[role] : '', head, ...cells]);
  }
  setColumnWidths(sheet, [24, 24, 18, ...fractions.map(() => 16)]);
}
