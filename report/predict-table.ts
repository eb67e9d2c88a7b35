import type { ShelfShareRow } from './model.js';

/** The class a box gets when the model's top probability is below the threshold. */
export const UNKNOWN_CLASS = 'unknown';

export interface PredictedBox {
  image: string;
  store: string | null;
  boxId: string;
  box: readonly [number, number, number, number];
  /** The model's top class, whatever its probability. */
  predicted: string;
  confidence: number;
  /** `predicted`, or `unknown` below the threshold: what shelf share counts. */
  cls: string;
}

export function labelBoxes(
  rows: readonly {
    image: string;
    boxId: string;
    box: readonly [number, number, number, number];
    label: number;
    confidence: number;
  }[],
  classes: readonly string[],
  storeOf: (image: string) => string | null,
  unknownBelow: number,
): PredictedBox[] {
  return rows.map((r) => {
    const predicted = classes[r.label] ?? String(r.label);
    return {
      image: r.image,
      store: storeOf(r.image),
      boxId: r.boxId,
      box: r.box,
      predicted,
      confidence: r.confidence,
      cls: r.confidence < unknownBelow ? UNKNOWN_CLASS : predicted,
    };
  });
}

/** Facings per class, grouped by `key` (image or store), in first-seen order of the boxes. */
export function shareRows(boxes: readonly PredictedBox[], key: (b: PredictedBox) => string): ShelfShareRow[] {
  const rows = new Map<string, ShelfShareRow>();
  for (const b of boxes) {
    const k = key(b);
    const row = rows.get(k) ?? { image: k, ...(b.store === null ? {} : { store: b.store }), counts: {} };
    row.counts[b.cls] = (row.counts[b.cls] ?? 0) + 1;
    rows.set(k, row);
  }
  return [...rows.values()];
}

/** A CSV field, quoted when it holds a comma, quote or newline (RFC 4180). */
export function csvField(value: string | number): string {
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvText(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\n')}\n`;
}

export function predictionsCsv(boxes: readonly PredictedBox[]): string {
  return csvText(
    ['image', 'store', 'box_id', 'x1', 'y1', 'x2', 'y2', 'class', 'predicted', 'confidence'],
    boxes.map((b) => [
      b.image,
      b.store ?? '',
      b.boxId,
      ...b.box,
      b.cls,
      b.predicted,
      b.confidence.toFixed(6),
    ]),
  );
}
