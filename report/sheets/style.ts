import type { Row, Worksheet } from 'exceljs';

/** Shared look for every sheet, so the workbook reads as one report. */
const HEADER_FILL = 'FF1F4E78';
const HEADER_FONT = 'FFFFFFFF';
const SECTION_FILL = 'FFDDEBF7';

export function styleHeaderRow(row: Row): void {
  row.font = { bold: true, color: { argb: HEADER_FONT } };
  row.alignment = { vertical: 'middle', wrapText: true };
  row.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: HEADER_FILL } };
  });
}

export function styleSectionRow(row: Row): void {
  row.font = { bold: true };
  row.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: SECTION_FILL } };
  });
}

export function styleTitleRow(row: Row): void {
  row.font = { bold: true, size: 14 };
}

export function styleTotalRow(row: Row): void {
  row.font = { bold: true };
  row.eachCell((cell) => {
    cell.border = { top: { style: 'thin' }, bottom: { style: 'double' } };
  });
}

export function setColumnWidths(sheet: Worksheet, widths: readonly number[]): void {
  widths.forEach((width, i) => {
    sheet.getColumn(i + 1).width = width;
  });
}

/** Keeps the first `rows` rows in view while scrolling. */
export function freezeRows(sheet: Worksheet, rows: number): void {
  sheet.views = [{ state: 'frozen', xSplit: 0, ySplit: rows }];
}

export function setNumberFormat(sheet: Worksheet, column: number, numFmt: string): void {
  sheet.getColumn(column).numFmt = numFmt;
}

/**
 * Red → yellow → green, like Excel's default three-colour scale: higher is better.
 * `priority` must be unique within a sheet: Excel ranks overlapping rules by it.
 */
export function addGoodHighColourScale(sheet: Worksheet, ref: string, priority = 1): void {
  sheet.addConditionalFormatting({
    ref,
    rules: [
      {
        type: 'colorScale',
        priority,
        cfvo: [{ type: 'min' }, { type: 'percentile', value: 50 }, { type: 'max' }],
        color: [{ argb: 'FFF8696B' }, { argb: 'FFFFEB84' }, { argb: 'FF63BE7B' }],
      },
    ],
  });
}

/** White → blue: a heat map for counts, where only "how many" matters, not good or bad. */
export function addHeatMapColourScale(sheet: Worksheet, ref: string, priority = 1): void {
  sheet.addConditionalFormatting({
    ref,
    rules: [
      {
        type: 'colorScale',
        priority,
        cfvo: [{ type: 'min' }, { type: 'max' }],
        color: [{ argb: 'FFFFFFFF' }, { argb: 'FF5B9BD5' }],
      },
    ],
  });
}

/** A1-style column letters for 1-based column numbers (1 → A, 27 → AA). */
export function columnLetter(column: number): string {
  let n = column;
  let letters = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    letters = String.fromCharCode(65 + rem) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}
