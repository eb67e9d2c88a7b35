import type { Workbook } from 'exceljs';
import type { ReportInput } from '../model.js';
import { type ShelfShareLine, shelfShareLines, shelfShareTotal } from '../shelf-share.js';
import { freezeRows, setColumnWidths, styleHeaderRow, styleTitleRow, styleTotalRow } from './style.js';

export const SHELF_SHARE_SHEET = 'Shelf share';

/**
 * Predicted facings per shelf image and each class's share of them. The store
 * column appears only when some image carries a store, so ad-hoc runs stay narrow.
 */
export function addShelfShareSheet(
  workbook: Workbook,
  input: Pick<ReportInput, 'shelfShare' | 'classNames'>,
  opts: { sheet?: string; title?: string; first?: string } = {},
): void {
  const sheet = workbook.addWorksheet(opts.sheet ?? SHELF_SHARE_SHEET);
  const withStore = input.shelfShare.some((row) => row.store !== undefined);
  const lines = shelfShareLines(input.shelfShare, input.classNames);
  const toCells = (line: ShelfShareLine) => [
    line.image,
    ...(withStore ? [line.store] : []),
    line.total,
    ...line.counts,
    ...line.shares,
  ];
  styleTitleRow(sheet.addRow([opts.title ?? 'Predicted shelf share (facings per class)']));
  const headers = shelfShareHeaders(input.classNames, withStore);
  if (opts.first) headers[0] = opts.first;
  styleHeaderRow(sheet.addRow(headers));
  for (const line of lines) sheet.addRow(toCells(line));
  styleTotalRow(sheet.addRow(toCells(shelfShareTotal(lines, input.classNames.length))));

  const k = input.classNames.length;
  const firstCount = withStore ? 3 : 2;
  setColumnWidths(sheet, [22, ...(withStore ? [14] : []), 10, ...new Array<number>(2 * k).fill(14)]);
  for (let c = firstCount; c <= firstCount + k; c++) sheet.getColumn(c).numFmt = '#,##0';
  for (let c = firstCount + k + 1; c <= firstCount + 2 * k; c++) sheet.getColumn(c).numFmt = '0.0%';
  freezeRows(sheet, 2);
}

export function shelfShareHeaders(classNames: readonly string[], withStore: boolean): string[] {
  return [
    'Image',
    ...(withStore ? ['Store'] : []),
    'Total facings',
    ...classNames.map((cls) => `${cls} (facings)`),
    ...classNames.map((cls) => `${cls} (share)`),
  ];
}
