import { ReasonTally } from '../sku110k/tally.js';
import type { BoxRow, ReasonCount } from '../sku110k/types.js';
import type { FilledCsv } from './filled-csv.js';
import { matchLabels } from './match-labels.js';
import type { LabelRow } from './read-label-csv.js';

export const MERGE_REASONS = [
  'malformed_row',
  'non_integer_coordinate',
  'unknown_class',
  'no_matching_box',
  /** The same box twice with the same class (in the file, or already so in labels.csv). */
  'duplicate',
  /** Two different classes for one box within the returned file: neither is taken. */
  'conflicting_rows',
  /** labels.csv already gives the box another class: fix it there if the new one is right. */
  'conflicts_existing_label',
] as const;
export type MergeReason = (typeof MERGE_REASONS)[number];

export interface LabelMerge {
  /** The good rows to append to labels.csv (the label CSV's eight columns), in file order. */
  append: LabelRow[];
  unfilled: number;
  rejected: Record<MergeReason, ReasonCount>;
}

/**
 * Checks annotators' rows against the dataset's boxes and the labels it has: each row must name a known
 * class and match a box (exactly or by IoU, as ingest matches labels.csv), once, and not contradict
 * labels.csv or another returned row. Everything else is counted by reason with examples.
 */
export function planLabelMerge(input: {
  boxes: readonly BoxRow[];
  existing: readonly LabelRow[];
  filled: FilledCsv;
  classes: readonly string[];
  iouThreshold: number;
}): LabelMerge {
  const options = { classes: [...input.classes], iouThreshold: input.iouThreshold, examplesPerReason: 0 };
  const rejected = new ReasonTally(MERGE_REASONS, 5);
  const known = matchLabels(input.boxes, input.existing, options).labels;
  const existing = new Map(known.map((l) => [l.boxId, l.label]));
  const byImage = new Map<string, BoxRow[]>();
  for (const box of input.boxes) byImage.set(box.image, [...(byImage.get(box.image) ?? []), box]);
  const chosen = new Map<string, { row: LabelRow; label: number }>();
  const conflicted = new Set<string>();
  for (const row of input.filled.rows) {
    const example = { file: row.file, line: row.line, text: row.text, detail: '' };
    const one = matchLabels(byImage.get(row.image) ?? [], [row], options);
    if (one.bad.unknown_class.count > 0) {
      rejected.add('unknown_class', {
        ...example,
        detail: `'${row.className}' is not one of ${input.classes.join(', ')}`,
      });
      continue;
    }
    const match = one.labels[0];
    if (!match) {
      rejected.add('no_matching_box', {
        ...example,
        detail: `no box on ${row.image} matches exactly or with IoU >= ${input.iouThreshold}`,
      });
      continue;
    }
    const before = existing.get(match.boxId);
    if (before !== undefined) {
      if (before === match.label)
        rejected.add('duplicate', {
          ...example,
          detail: `${match.boxId} is already labelled so in labels.csv`,
        });
      else
        rejected.add('conflicts_existing_label', {
          ...example,
          detail: `labels.csv has ${match.boxId} as '${input.classes[before]}'`,
        });
      continue;
    }
    const earlier = chosen.get(match.boxId);
    if (earlier && earlier.label === match.label) {
      rejected.add('duplicate', {
        ...example,
        detail: `${match.boxId} already given on line ${earlier.row.line}`,
      });
      continue;
    }
    if (earlier) {
      conflicted.add(match.boxId);
      rejected.add('conflicting_rows', {
        ...example,
        detail: `${match.boxId} is '${input.classes[earlier.label]}' on line ${earlier.row.line}; box left out`,
      });
      continue;
    }
    chosen.set(match.boxId, { row, label: match.label });
  }
  const append = [...chosen]
    .filter(([boxId]) => !conflicted.has(boxId))
    .map(([, c]) => c.row)
    .sort((a, b) => a.line - b.line);
  // The first row of a conflicting pair was kept in `chosen` until its rival came: count it as well.
  for (const boxId of conflicted) {
    const first = chosen.get(boxId);
    if (first)
      rejected.add('conflicting_rows', {
        file: first.row.file,
        line: first.row.line,
        text: first.row.text,
        detail: `${boxId} has another class on a later line; box left out`,
      });
  }
  // Rows the CSV reader refused are counted (with examples) where it counted them.
  return { append, unfilled: input.filled.unfilled, rejected: { ...rejected.toJSON(), ...input.filled.bad } };
}
