import { csvLines } from '../sku110k/csv-row.js';
import { ReasonTally } from '../sku110k/tally.js';
import type { ReasonCount } from '../sku110k/types.js';

export const STORE_CSV_REASONS = ['malformed_store_row', 'duplicate_store_row'] as const;

export interface StoreCsv {
  /** image name -> store. */
  stores: Map<string, string>;
  rows: number;
  bad: Record<(typeof STORE_CSV_REASONS)[number], ReasonCount>;
}

/**
 * `stores.csv`: `image,store` per line (a header line `image,store` is skipped). A bad line is counted with
 * an example and skipped, never fatal: a store map is a convenience, the predictions stand without it.
 */
export function parseStoresCsv(bytes: Uint8Array, fileName: string, examplesPerReason = 5): StoreCsv {
  const bad = new ReasonTally(STORE_CSV_REASONS, examplesPerReason);
  const stores = new Map<string, string>();
  let rows = 0;
  for (const decoded of csvLines(bytes)) {
    if (!decoded.ok) {
      rows++;
      bad.add('malformed_store_row', {
        file: fileName,
        line: decoded.line,
        text: decoded.text,
        detail: decoded.detail,
      });
      continue;
    }
    const { line, text } = decoded.line;
    const fields = text.split(',').map((f) => f.trim());
    if (rows === 0 && fields[0]?.toLowerCase() === 'image' && fields[1]?.toLowerCase() === 'store') continue;
    rows++;
    const [image, store] = fields;
    if (fields.length !== 2 || !image || !store) {
      bad.add('malformed_store_row', {
        file: fileName,
        line,
        text,
        detail: `expected 2 non-empty columns (image,store), found ${fields.length}`,
      });
      continue;
    }
    if (stores.has(image)) {
      bad.add('duplicate_store_row', {
        file: fileName,
        line,
        text,
        detail: `${image} already maps to ${stores.get(image)}; the first is kept`,
      });
      continue;
    }
    stores.set(image, store);
  }
  return { stores, rows, bad: bad.toJSON() };
}
