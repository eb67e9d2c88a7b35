import { open } from 'node:fs/promises';
import { z } from 'zod';
import { CHECKED_OPEN_FLAGS } from './safe-path.js';

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
 * Longest CSV line accepted (SKU110K lines are ~60 bytes): a longer one is a malformed row. Lines are cut
 * while streaming, so one huge line costs this much memory, not its length (a 300 MB line used to end the
 * worker with a fatal V8 error).
 */
export const MAX_CSV_LINE_BYTES = 4096;
/** How much of an over-long line is kept as its example. */
const EXAMPLE_BYTES = 120;

function decodeLine(slice: Uint8Array, lineNumber: number): LineDecode | undefined {
  if (slice.length === 0 || slice.every((b) => b === 0x20 || b === 0x09)) return undefined;
  try {
    return { ok: true, line: { line: lineNumber, text: utf8.decode(slice) } };
  } catch {
    return {
      ok: false,
      line: lineNumber,
      text: Buffer.from(slice).toString('latin1'),
      detail: 'line is not valid UTF-8: re-save the CSV as UTF-8',
    };
  }
}

function overlong(head: Uint8Array, lineNumber: number, maxLineBytes: number): LineDecode {
  return {
    ok: false,
    line: lineNumber,
    text: `${Buffer.from(head.subarray(0, EXAMPLE_BYTES)).toString('latin1')}...`,
    detail: `line is longer than ${maxLineBytes} bytes; skipped`,
  };
}

/** Splits off a line's CR and decodes it; a line kept whole is at most maxLineBytes long here. */
function finishLine(line: Uint8Array, lineNumber: number): LineDecode | undefined {
  const stop = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
  return decodeLine(line.subarray(0, stop), lineNumber);
}

/**
 * Splits a CSV's bytes into lines as they stream in, decoding each one strictly as UTF-8 so that one bad byte
 * costs one row, not the file. Blank lines are skipped; a UTF-8 BOM and CR line endings are tolerated; a line
 * longer than `maxLineBytes` becomes one malformed row without ever being held whole.
 */
export async function* csvLinesFromChunks(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  maxLineBytes = MAX_CSV_LINE_BYTES,
): AsyncGenerator<LineDecode> {
  let parts: Uint8Array[] = [];
  let held = 0;
  let tooLong: Uint8Array | undefined;
  let lineNumber = 0;
  let first = true;
  for await (let chunk of chunks) {
    if (first && chunk.length >= 3 && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf)
      chunk = chunk.subarray(3);
    first = first && chunk.length === 0;
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      const piece = chunk.subarray(start, end);
      if (tooLong === undefined) {
        held += piece.length;
        // +1 for a CR that may end the line.
        if (held > maxLineBytes + 1) tooLong = Buffer.concat([...parts, piece]).subarray(0, EXAMPLE_BYTES);
        else if (piece.length > 0) parts.push(piece);
      }
      if (nl === -1) {
        if (tooLong !== undefined) parts = [];
        else parts = parts.map((p) => Uint8Array.from(p)); // the chunk's buffer may be reused
        break;
      }
      lineNumber++;
      const decoded =
        tooLong !== undefined
          ? overlong(tooLong, lineNumber, maxLineBytes)
          : finishLine(parts.length === 1 ? parts[0]! : Buffer.concat(parts), lineNumber);
      if (decoded) yield decoded;
      parts = [];
      held = 0;
      tooLong = undefined;
      start = end + 1;
    }
  }
  if (tooLong !== undefined || held > 0) {
    lineNumber++;
    const decoded =
      tooLong !== undefined
        ? overlong(tooLong, lineNumber, maxLineBytes)
        : finishLine(Buffer.concat(parts), lineNumber);
    if (decoded) yield decoded;
  }
}

/** `csvLinesFromChunks` over a file, read in chunks (never whole), opened as `confinedFile` checked it. */
export async function* csvLinesOfFile(
  file: string,
  maxLineBytes = MAX_CSV_LINE_BYTES,
): AsyncGenerator<LineDecode> {
  const handle = await open(file, CHECKED_OPEN_FLAGS);
  try {
    yield* csvLinesFromChunks(
      handle.createReadStream({ highWaterMark: 64 * 1024, autoClose: false }),
      maxLineBytes,
    );
  } finally {
    await handle.close();
  }
}

/** The same split over bytes already in memory (small CSVs, tests). */
export function* csvLines(bytes: Uint8Array, maxLineBytes = MAX_CSV_LINE_BYTES): Generator<LineDecode> {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let lineNumber = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    lineNumber++;
    const line = bytes.subarray(start, end);
    start = end + 1;
    const decoded =
      line.length > maxLineBytes + 1
        ? overlong(line, lineNumber, maxLineBytes)
        : finishLine(line, lineNumber);
    if (decoded) yield decoded;
  }
}
