import path from 'node:path';
import {
  CSV_COLUMNS,
  type CsvRow,
  csvLines,
  csvLinesOfFile,
  type LineDecode,
  parseCsvRow,
} from '../sku110k/csv-row.js';
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

/** Reads a label CSV as it streams in, keeping every parseable row and counting the others (never throws on a
 * bad row; an over-long line is one malformed row). */
export async function readLabelCsv(file: string, examplesPerReason = 5): Promise<LabelCsv> {
  const csv = new LabelCsvBuilder(path.basename(file), examplesPerReason);
  for await (const decoded of csvLinesOfFile(file)) csv.add(decoded);
  return csv.result();
}

export function parseLabelCsv(bytes: Uint8Array, fileName: string, examplesPerReason = 5): LabelCsv {
  const csv = new LabelCsvBuilder(fileName, examplesPerReason);
  for (const decoded of csvLines(bytes)) csv.add(decoded);
  return csv.result();
}

class LabelCsvBuilder {
  private readonly bad: ReasonTally<LabelCsvReason>;
  private readonly rows: LabelRow[] = [];
  private lines = 0;
  private header = false;

  constructor(
    private readonly fileName: string,
    examplesPerReason: number,
  ) {
    this.bad = new ReasonTally(LABEL_CSV_REASONS, examplesPerReason);
  }

  add(decoded: LineDecode): void {
    const fileName = this.fileName;
    if (this.lines === 0 && !this.header && decoded.ok && isHeaderRow(decoded.line.text)) {
      this.header = true;
      return;
    }
    this.lines++;
    if (!decoded.ok) {
      this.bad.add('malformed_row', {
        file: fileName,
        line: decoded.line,
        text: decoded.text,
        detail: decoded.detail,
      });
      return;
    }
    const parsed = parseCsvRow(decoded.line.text);
    if (!parsed.ok) {
      this.bad.add(parsed.reason, { file: fileName, ...decoded.line, detail: parsed.detail });
      return;
    }
    this.rows.push({ ...parsed.row, file: fileName, line: decoded.line.line, text: decoded.line.text });
  }

  result(): LabelCsv {
    return {
      rows: this.rows,
      lines: this.lines,
      bad: this.bad.toJSON(),
      ...(this.header ? { header: true } : {}),
    };
  }
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
