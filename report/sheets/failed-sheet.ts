import type { Workbook } from 'exceljs';
import type { Failures } from '../model.js';
import { setColumnWidths, styleHeaderRow, styleSectionRow, styleTitleRow } from './style.js';

export const FAILED_SHEET = 'Failed';
export const FAILED_HEADERS = ['Node', 'Stage', 'Error', 'Re-run with'];
export const MISSING_HEADERS = ['Missing result', 'Node', 'Why'];

/** The Summary's line for an incomplete run, so a reader of Table 2 knows rows are missing and why. */
export function incompleteNotice(failures: Failures): string {
  const nodes = failures.failed.map((f) => f.node).join(', ');
  return (
    `Incomplete: ${failures.failed.length} stage(s) failed (${nodes}); ` +
    `${failures.missing.length} result(s) missing — see the "${FAILED_SHEET}" sheet.`
  );
}

/**
 * What the run could not produce: each failed node once, with its error and the command that re-runs it,
 * then every result that is missing because of it (which names the failed node instead of its error).
 */
export function addFailedSheet(workbook: Workbook, failures: Failures): void {
  const sheet = workbook.addWorksheet(FAILED_SHEET);
  styleTitleRow(sheet.addRow(['Failed stages: this report shows only what succeeded']));
  sheet.addRow([]);
  styleSectionRow(sheet.addRow(['Failed stages']));
  styleHeaderRow(sheet.addRow(FAILED_HEADERS));
  for (const f of failures.failed) sheet.addRow([f.node, f.stage, f.error, f.rerun]);
  sheet.addRow([]);
  styleSectionRow(sheet.addRow(['Results missing from this report']));
  styleHeaderRow(sheet.addRow(MISSING_HEADERS));
  for (const m of failures.missing)
    sheet.addRow([m.input, m.node, `skipped (upstream: ${m.upstream.join(', ')})`]);
  setColumnWidths(sheet, [40, 40, 80, 50]);
  sheet.getColumn(3).alignment = { wrapText: true, vertical: 'top' };
}
