import { type Rng, shuffleInPlace } from '../random.js';

/**
 * Seeded stratified hold-out: each class contributes round(share · its count) samples to validation,
 * but always leaves at least one of its samples for training (a class with one sample is never held out).
 */
export function stratifiedSplit(
  labels: Int32Array,
  classes: number,
  valShare: number,
  rng: Rng,
): { train: Int32Array; val: Int32Array } {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((label, i) => {
    if (label < 0 || label >= classes) throw new Error(`label ${label} at ${i} outside 0..${classes - 1}`);
    byClass[label]?.push(i);
  });
  const train: number[] = [];
  const val: number[] = [];
  for (const members of byClass) {
    shuffleInPlace(members, rng);
    const held = Math.min(Math.round(valShare * members.length), Math.max(0, members.length - 1));
    val.push(...members.slice(0, held));
    train.push(...members.slice(held));
  }
  const ascending = (a: number, b: number) => a - b;
  return { train: Int32Array.from(train.sort(ascending)), val: Int32Array.from(val.sort(ascending)) };
}

/** Rows `indices` of a row-major [n, dim] matrix. */
export function selectRows(features: Float32Array, dim: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * dim);
  for (let i = 0; i < indices.length; i++) {
    const row = indices[i] ?? 0;
    out.set(features.subarray(row * dim, (row + 1) * dim), i * dim);
  }
  return out;
}
