import { labelSeed, mulberry32, shuffled } from '../../ml/random.js';
import type { BoxLabel } from '../labels/match-labels.js';

/**
 * Picks round(n × testShare) boxes of every class for the held-out test split, with a seeded shuffle per class:
 * stratified so each class is represented as in the whole, and fixed for a given seed and label set.
 * A class with very few labels may get no test boxes (e.g. 3 × 0.15 rounds to 0).
 */
export function stratifiedTestSplit(
  labels: readonly BoxLabel[],
  testShare: number,
  seed: number,
): Set<string> {
  const byClass = new Map<number, string[]>();
  for (const { boxId, label } of labels) {
    const list = byClass.get(label);
    if (list) list.push(boxId);
    else byClass.set(label, [boxId]);
  }
  const test = new Set<string>();
  for (const [label, ids] of [...byClass].sort((a, b) => a[0] - b[0])) {
    // Sorting first makes the split independent of the order labels arrive in.
    const rng = mulberry32(labelSeed(seed, `test-split/${label}`));
    const take = Math.round(ids.length * testShare);
    for (const id of shuffled([...ids].sort(), rng).slice(0, take)) test.add(id);
  }
  return test;
}
