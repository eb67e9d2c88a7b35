import type { ShelfShareRow } from './model.js';

/** Predicted facings of one shelf image (or the total) with each class's share of them. */
export interface ShelfShareLine {
  image: string;
  store: string;
  counts: number[];
  total: number;
  /** Fractions in [0, 1]; all 0 for an image with no facings, rather than NaN. */
  shares: number[];
}

export function shelfShareLines(
  rows: readonly ShelfShareRow[],
  classNames: readonly string[],
): ShelfShareLine[] {
  return rows.map((row) =>
    toLine(
      row.image,
      row.store ?? '',
      classNames.map((cls) => row.counts[cls] ?? 0),
    ),
  );
}

/** The total row: facings summed over images, share of all facings (not a mean of shares). */
export function shelfShareTotal(lines: readonly ShelfShareLine[], classCount: number): ShelfShareLine {
  const counts = new Array<number>(classCount).fill(0);
  for (const line of lines) {
    line.counts.forEach((n, c) => {
      counts[c] = (counts[c] ?? 0) + n;
    });
  }
  return toLine('Total', '', counts);
}

function toLine(image: string, store: string, counts: number[]): ShelfShareLine {
  const total = counts.reduce((sum, n) => sum + n, 0);
  return { image, store, counts, total, shares: counts.map((n) => (total === 0 ? 0 : n / total)) };
}
