import { z } from 'zod';
import { DEFAULT_CLASSES } from '../classes.js';
import { ReasonTally } from '../sku110k/tally.js';
import type { BoxRow, ReasonCount, ReasonExample } from '../sku110k/types.js';
import { BoxIndex } from './box-index.js';
import { iou } from './iou.js';
import type { LabelRow } from './read-label-csv.js';

export const matchLabelsOptionsSchema = z.object({
  classes: z
    .array(z.string().min(1))
    .min(2, 'classes: give at least two class names')
    .refine((names) => new Set(names).size === names.length, 'classes: names must be unique')
    .default([...DEFAULT_CLASSES]),
  iouThreshold: z.number().gt(0).max(1, 'iouThreshold is a fraction in (0, 1], e.g. 0.5').default(0.5),
  examplesPerReason: z.number().int().min(0).default(5),
});
export type MatchLabelsOptions = z.input<typeof matchLabelsOptionsSchema>;

export interface BoxLabel {
  boxId: string;
  /** Index into `classes`. */
  label: number;
}

/** `image_not_ingested`: the row's image has no box at all (missing or rejected image): not the row's fault. */
export const LABEL_REASONS = [
  'unknown_class',
  'image_not_ingested',
  'no_matching_box',
  'conflicting_label',
] as const;
export type LabelReason = (typeof LABEL_REASONS)[number];

export interface MatchLabelsResult {
  classes: string[];
  /** In box order, one per labelled box. */
  labels: BoxLabel[];
  counts: { labelRows: number; exact: number; byIou: number; labelledBoxes: number; perClass: number[] };
  /** Rejected label rows. conflicting_label counts every row that gave a box a second, different class; such
   * boxes get no label at all, since we cannot tell which is right. */
  bad: Record<LabelReason, ReasonCount>;
  /** duplicate_label: a row repeating a box's existing class (harmless, counted). */
  warnings: Record<'duplicate_label', ReasonCount>;
}

/**
 * Attaches class labels to boxes: a label row matches the box with identical coordinates on the same image,
 * else the box of highest IoU on that image if it reaches `iouThreshold`.
 */
export function matchLabels(
  boxes: readonly BoxRow[],
  labelRows: readonly LabelRow[],
  options: MatchLabelsOptions = {},
): MatchLabelsResult {
  const opts = matchLabelsOptionsSchema.parse(options);
  const classIndex = new Map(opts.classes.map((name, i) => [name, i]));
  const byImage = indexByImage(boxes);
  const bad = new ReasonTally(LABEL_REASONS, opts.examplesPerReason);
  const warnings = new ReasonTally(['duplicate_label'] as const, opts.examplesPerReason);
  const assigned = new Map<string, number>();
  const conflicted = new Set<string>();
  let exact = 0;
  let byIou = 0;
  for (const row of labelRows) {
    const example: ReasonExample = { file: row.file, line: row.line, text: row.text, detail: '' };
    const label = classIndex.get(row.className);
    if (label === undefined) {
      bad.add('unknown_class', {
        ...example,
        detail: `'${row.className}' is not one of ${opts.classes.join(', ')}`,
      });
      continue;
    }
    const index = byImage.get(row.image);
    if (!index) {
      bad.add('image_not_ingested', {
        ...example,
        detail: `${row.image} has no ingested box: the image is missing or all its annotation rows were rejected (see the annotation findings)`,
      });
      continue;
    }
    const match = findBox(index, row, opts.iouThreshold);
    if (!match) {
      bad.add('no_matching_box', {
        ...example,
        detail: `no box on ${row.image} matches exactly or with IoU >= ${opts.iouThreshold}`,
      });
      continue;
    }
    const previous = assigned.get(match.box.boxId);
    if (previous !== undefined && previous !== label) {
      conflicted.add(match.box.boxId);
      bad.add('conflicting_label', {
        ...example,
        detail: `${match.box.boxId} already labelled '${opts.classes[previous]}'; box left unlabelled`,
      });
      continue;
    }
    if (previous === label) {
      warnings.add('duplicate_label', { ...example, detail: `${match.box.boxId} already has this label` });
      continue;
    }
    assigned.set(match.box.boxId, label);
    if (match.exact) exact++;
    else byIou++;
  }
  const labels = boxes
    .filter((box) => assigned.has(box.boxId) && !conflicted.has(box.boxId))
    .map((box) => ({ boxId: box.boxId, label: assigned.get(box.boxId)! }));
  const perClass = opts.classes.map((_, i) => labels.filter((l) => l.label === i).length);
  return {
    classes: opts.classes,
    labels,
    counts: { labelRows: labelRows.length, exact, byIou, labelledBoxes: labels.length, perClass },
    bad: bad.toJSON(),
    warnings: warnings.toJSON(),
  };
}

function indexByImage(boxes: readonly BoxRow[]): Map<string, BoxIndex<BoxRow>> {
  const map = new Map<string, BoxRow[]>();
  for (const box of boxes) {
    const list = map.get(box.image);
    if (list) list.push(box);
    else map.set(box.image, [box]);
  }
  return new Map([...map].map(([image, list]) => [image, new BoxIndex(list)]));
}

function findBox(
  index: BoxIndex<BoxRow>,
  row: LabelRow,
  threshold: number,
): { box: BoxRow; exact: boolean } | null {
  const same = index.exact(row);
  if (same) return { box: same, exact: true };
  let best: BoxRow | null = null;
  let bestIou = 0;
  for (const box of index.overlapping(row)) {
    const overlap = iou(box, row);
    if (overlap > bestIou) {
      best = box;
      bestIou = overlap;
    }
  }
  return best && bestIou >= threshold ? { box: best, exact: false } : null;
}
