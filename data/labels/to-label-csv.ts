import { CSV_COLUMNS } from '../sku110k/csv-row.js';

/** Columns after the label CSV's own: the head's guess, how sure it was, and the box id (for the contact sheet). */
export const TO_LABEL_EXTRA_COLUMNS = ['suggested_class', 'confidence', 'box_id'] as const;

export interface ToLabelRow {
  image: string;
  box: readonly [number, number, number, number];
  imageWidth: number;
  imageHeight: number;
  suggested: string;
  confidence: number;
  boxId: string;
}

/**
 * to-label.csv: a header, then one row per suggested crop in the label CSV's columns (class left blank for the
 * annotator) followed by TO_LABEL_EXTRA_COLUMNS. `shelfssl labels merge` reads it back: the header and the
 * extra columns are dropped, a row whose class is still blank is skipped.
 */
export function toLabelCsv(rows: readonly ToLabelRow[]): string {
  const header = [...CSV_COLUMNS, ...TO_LABEL_EXTRA_COLUMNS].join(',');
  const lines = rows.map((r) =>
    [
      r.image,
      ...r.box.map((v) => String(Math.round(v))),
      '',
      r.imageWidth,
      r.imageHeight,
      r.suggested,
      r.confidence.toFixed(3),
      r.boxId,
    ].join(','),
  );
  return `${[header, ...lines].join('\n')}\n`;
}
