import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CSV_COLUMNS, type CsvRow, csvLines, parseCsvRow } from '../sku110k/csv-row.js';
import { ReasonTally } from '../sku110k/tally.js';
import type { ReasonCount } from '../sku110k/types.js';

/** A row of a label CSV: SKU110K columns with the product class name in the class column. */
export interface LabelRow extends CsvRow {
  file: string;
  line: number;
  text: string;
}

export const LABEL_CSV_REASONS = ['malformed_row', 'non_integer_coordinate'] as const;
export type LabelCsvReason = (typeof LABEL_CSV_REASONS)[number];

export interface LabelCsv {
  rows: LabelRow[];
  /** Non-blank lines read, the header row (if any) not counted. */
  lines: number;
  /** The first line was a header (`image_name,x1,y1,...`), skipped rather than counted as a bad row. */
  header?: boolean;
  bad: Record<LabelCsvReason, ReasonCount>;
}

/** Reads a label CSV, keeping every parseable row and counting the others (never throws on a bad row). */
export async function readLabelCsv(file: string, examplesPerReason = 5): Promise<LabelCsv> {
  const bytes = await readFile(file);
  return parseLabelCsv(bytes, path.basename(file), examplesPerReason);
}

export function parseLabelCsv(bytes: Uint8Array, fileName: string, examplesPerReason = 5): LabelCsv {
  const bad = new ReasonTally(LABEL_CSV_REASONS, examplesPerReason);
  const rows: LabelRow[] = [];
  let lines = 0;
  let header = false;
  for (const decoded of csvLines(bytes)) {
    if (lines === 0 && !header && decoded.ok && isHeaderRow(decoded.line.text)) {
      header = true;
      continue;
    }
    lines++;
    if (!decoded.ok) {
      bad.add('malformed_row', {
        file: fileName,
        line: decoded.line,
        text: decoded.text,
        detail: decoded.detail,
      });
      continue;
    }
    const parsed = parseCsvRow(decoded.line.text);
    if (!parsed.ok) {
      bad.add(parsed.reason, { file: fileName, ...decoded.line, detail: parsed.detail });
      continue;
    }
    rows.push({ ...parsed.row, file: fileName, line: decoded.line.line, text: decoded.line.text });
  }
  return { rows, lines, bad: bad.toJSON(), ...(header ? { header } : {}) };
}

/**
 * A header row: no number where the coordinates go, and at least two cells named like SKU110K's columns
 * (`image_name,x1,y1,x2,y2,class,...`, any case, also `image`, `label`, `width`, `height`).
 */
export function isHeaderRow(text: string): boolean {
  const cells = text.split(',').map((c) => c.trim().toLowerCase().replace(/^"|"$/g, ''));
  if (cells.slice(1, 5).some((c) => c !== '' && Number.isFinite(Number(c)))) return false;
  const names = new Set<string>([
    ...CSV_COLUMNS,
    'image',
    'label',
    'width',
    'height',
    'xmin',
    'ymin',
    'xmax',
    'ymax',
  ]);
  return cells.filter((c) => names.has(c)).length >= 2;
}
