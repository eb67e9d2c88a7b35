import { z } from 'zod';

/** Column order of SKU110K annotation CSVs (no header row). Label CSVs reuse it with a class name in `class`. */
export const CSV_COLUMNS = [
  'image_name',
  'x1',
  'y1',
  'x2',
  'y2',
  'class',
  'image_width',
  'image_height',
] as const;

export interface CsvRow {
  image: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  className: string;
  imageWidth: number;
  imageHeight: number;
}

export type RowParse =
  | { ok: true; row: CsvRow }
  | { ok: false; reason: 'malformed_row' | 'non_integer_coordinate'; detail: string };

const numeric = (column: string) =>
  z
    .string()
    .trim()
    .refine((s) => s !== '' && Number.isFinite(Number(s)), {
      message: `${column} must be a number (integer pixels), e.g. 120`,
    })
    .transform(Number);

const positiveInteger = (column: string) =>
  numeric(column).refine((n) => Number.isInteger(n) && n > 0, {
    message: `${column} must be a positive integer pixel count`,
  });

const rowSchema = z.object({
  image_name: z.string().trim().min(1, 'image_name is empty: give the image file name, e.g. train_0.jpg'),
  x1: numeric('x1'),
  y1: numeric('y1'),
  x2: numeric('x2'),
  y2: numeric('y2'),
  class: z.string().trim().min(1, 'class is empty: use "object" (annotations) or a class name (labels)'),
  image_width: positiveInteger('image_width'),
  image_height: positiveInteger('image_height'),
});

/** Parses one CSV line (already decoded). Rejections name the column and what would fix it. */
export function parseCsvRow(text: string): RowParse {
  const fields = text.split(',');
  if (fields.length !== CSV_COLUMNS.length) {
    return {
      ok: false,
      reason: 'malformed_row',
      detail: `expected ${CSV_COLUMNS.length} columns (${CSV_COLUMNS.join(',')}), found ${fields.length}`,
    };
  }
  const record = Object.fromEntries(CSV_COLUMNS.map((column, i) => [column, fields[i]!]));
  const parsed = rowSchema.safeParse(record);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, reason: 'malformed_row', detail: `${issue.path.join('.')}: ${issue.message}` };
  }
  const r = parsed.data;
  for (const column of ['x1', 'y1', 'x2', 'y2'] as const) {
    if (!Number.isInteger(r[column])) {
      return {
        ok: false,
        reason: 'non_integer_coordinate',
        detail: `${column}=${r[column]} is not an integer; SKU110K coordinates are whole pixels`,
      };
    }
  }
  return {
    ok: true,
    row: {
      image: r.image_name,
      x1: r.x1,
      y1: r.y1,
      x2: r.x2,
      y2: r.y2,
      className: r.class,
      imageWidth: r.image_width,
      imageHeight: r.image_height,
    },
  };
}

export interface CsvLine {
  /** 1-based. */
  line: number;
  text: string;
}

export type LineDecode =
  | { ok: true; line: CsvLine }
  | { ok: false; line: number; text: string; detail: string };

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Splits a CSV file's bytes into lines, decoding each one strictly as UTF-8 so that one bad byte costs one row,
 * not the file. Blank lines are skipped; a UTF-8 BOM and CR line endings are tolerated.
 */
export function* csvLines(bytes: Uint8Array): Generator<LineDecode> {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let lineNumber = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    lineNumber++;
    let stop = end;
    if (stop > start && bytes[stop - 1] === 0x0d) stop--;
    const slice = bytes.subarray(start, stop);
    start = end + 1;
    if (slice.length === 0 || slice.every((b) => b === 0x20 || b === 0x09)) continue;
    try {
      yield { ok: true, line: { line: lineNumber, text: utf8.decode(slice) } };
    } catch {
      yield {
        ok: false,
        line: lineNumber,
        text: Buffer.from(slice).toString('latin1'),
        detail: 'line is not valid UTF-8: re-save the CSV as UTF-8',
      };
    }
  }
}
