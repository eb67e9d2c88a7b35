import type { Workbook } from 'exceljs';
import type { ReportInput } from '../model.js';
import { freezeRows, setColumnWidths, styleHeaderRow } from './style.js';

export const LINEAGE_SHEET = 'Lineage';
export const LINEAGE_HEADERS = [
  'Stage',
  'Key',
  'Digest',
  'Code version',
  'Params hash',
  'Duration (s)',
  'Cache hit',
  'Nodes',
];

/** Every artefact behind the numbers, so any cell can be traced back to its inputs and the run's node ids. */
export function addLineageSheet(workbook: Workbook, input: ReportInput): void {
  const sheet = workbook.addWorksheet(LINEAGE_SHEET);
  styleHeaderRow(sheet.addRow(LINEAGE_HEADERS));
  for (const a of input.lineage) {
    sheet.addRow([
      a.stage,
      a.key,
      a.digest,
      a.codeVersion,
      a.paramsHash,
      a.durationMs / 1000,
      a.cacheHit ? 'yes' : 'no',
      ...(a.nodes ? [a.nodes.join(', ')] : []),
    ]);
  }
  setColumnWidths(sheet, [14, 40, 24, 14, 16, 13, 10, 40]);
  sheet.getColumn(6).numFmt = '#,##0.00';
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: LINEAGE_HEADERS.length } };
  freezeRows(sheet, 1);
}
