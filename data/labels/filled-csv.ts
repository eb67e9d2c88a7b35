import { CSV_COLUMNS, csvLines, parseCsvRow } from '../sku110k/csv-row.js';
import { ReasonTally } from '../sku110k/tally.js';
import type { ReasonCount } from '../sku110k/types.js';
import type { LabelRow } from './read-label-csv.js';

export const FILLED_CSV_REASONS = ['malformed_row', 'non_integer_coordinate'] as const;

export interface FilledCsv {
  /** Rows with a class filled in, as label rows (`text`: the label CSV's eight columns only). */
  rows: LabelRow[];
  /** Rows whose class the annotator left blank: not labelled yet, skipped without complaint. */
  unfilled: number;
  bad: Record<(typeof FILLED_CSV_REASONS)[number], ReasonCount>;
}

/**
 * Reads a to-label.csv as annotators return it: the header and the columns after the label CSV's eight
 * (suggested_class, confidence, box_id) are dropped, a blank class means "not done"; every other row is
 * parsed like a label CSV row (the same line decoder and row parser, so the same limits apply).
 */
export function parseFilledCsv(bytes: Uint8Array, fileName: string, examplesPerReason = 5): FilledCsv {
  const bad = new ReasonTally(FILLED_CSV_REASONS, examplesPerReason);
  const rows: LabelRow[] = [];
  let unfilled = 0;
  for (const decoded of csvLines(bytes)) {
    if (!decoded.ok) {
      bad.add('malformed_row', {
        file: fileName,
        line: decoded.line,
        text: decoded.text,
        detail: decoded.detail,
      });
      continue;
    }
    const { line, text } = decoded.line;
    const fields = text.split(',');
    if (fields[0]?.trim() === CSV_COLUMNS[0]) continue;
    if (fields.length > CSV_COLUMNS.length && (fields[5] ?? '').trim() === '') {
      unfilled++;
      continue;
    }
    const own = fields.slice(0, CSV_COLUMNS.length).join(',');
    const parsed = parseCsvRow(fields.length >= CSV_COLUMNS.length ? own : text);
    if (!parsed.ok) {
      if (parsed.detail.startsWith('class:')) unfilled++;
      else bad.add(parsed.reason, { file: fileName, line, text, detail: parsed.detail });
      continue;
    }
    rows.push({ ...parsed.row, file: fileName, line, text: own });
  }
  return { rows, unfilled, bad: bad.toJSON() };
}
