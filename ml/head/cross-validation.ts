import { type Rng, shuffleInPlace } from '../random.js';

/**
 * Seeded stratified k-fold assignment: each class's members are shuffled and dealt round-robin, so every fold
 * holds ⌊count/k⌋ or ⌈count/k⌉ of each class. Returns fold index per row.
 */
export function stratifiedFolds(labels: Int32Array, classes: number, folds: number, rng: Rng): Int32Array {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((label, i) => {
    if (label < 0 || label >= classes)
      throw new Error(`label ${label} at row ${i} outside 0..${classes - 1}`);
    byClass[label]?.push(i);
  });
  const fold = new Int32Array(labels.length);
  let offset = 0;
  for (const members of byClass) {
    shuffleInPlace(members, rng);
    // Rotating the start keeps fold sizes balanced across classes too.
    members.forEach((row, k) => {
      fold[row] = (offset + k) % folds;
    });
    offset = (offset + members.length) % folds;
  }
  return fold;
}

/** k for stratified CV: the configured folds, capped by the smallest class present; 0 when CV is impossible. */
export function usableFolds(labels: Int32Array, classes: number, wanted: number): number {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  const present = counts.filter((c) => c > 0);
  const smallest = Math.min(...present);
  const k = Math.min(wanted, smallest);
  return present.length >= 2 && k >= 2 ? k : 0;
}
