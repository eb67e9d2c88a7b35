import assert from 'node:assert/strict';
import { mulberry32 } from '../../ml/random.js';

/** Uniform values in [-halfRange, halfRange) from mulberry32: identical test data on every backend. */
export function seededUniform(seed: number, size: number, halfRange = 0.5): Float32Array {
  const rng = mulberry32(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (rng.next() - 0.5) * 2 * halfRange;
  return out;
}

/** max |actual − expected| / max |expected|: the error measure every kernel check uses (< 1e-4). */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let maxRef = 0;
  let maxDiff = 0;
  for (let i = 0; i < expected.length; i++) {
    maxRef = Math.max(maxRef, Math.abs(expected[i]!));
    maxDiff = Math.max(maxDiff, Math.abs(actual[i]! - expected[i]!));
  }
  // An all-zero reference (e.g. a gradient that is legitimately zero) compares in absolute terms.
  return maxDiff / Math.max(maxRef, 1e-12);
}
