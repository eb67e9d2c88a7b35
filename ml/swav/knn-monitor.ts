import { knnAccuracy } from '../metrics/knn.js';

export interface KnnMonitorInput {
  /** Row-major [n, dim]. */
  features: Float32Array;
  labels: Int32Array;
  dim: number;
  classes: number;
  /** Neighbours that vote (SwavParams.monitorK). */
  k: number;
}

/** Row i is in fold i mod FOLDS, so the split is fixed by the row order. */
const FOLDS = 5;

function rows(features: Float32Array, dim: number, idx: readonly number[]): Float32Array {
  const out = new Float32Array(idx.length * dim);
  idx.forEach((r, i) => {
    out.set(features.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  return out;
}

/**
 * Cosine k-NN accuracy cross-validated over one labelled set: every row is predicted once, from the other
 * folds. Needs no held-out split, so a few hundred labelled crops give a stable per-epoch feature probe
 * (the SwAV loss says little about feature quality).
 */
export function crossValidatedKnn(input: KnnMonitorInput): number {
  const n = input.labels.length;
  let correct = 0;
  for (let fold = 0; fold < FOLDS; fold++) {
    const train: number[] = [];
    const test: number[] = [];
    for (let i = 0; i < n; i++) (i % FOLDS === fold ? test : train).push(i);
    if (test.length === 0 || train.length === 0) continue;
    const result = knnAccuracy({
      trainFeatures: rows(input.features, input.dim, train),
      trainLabels: Int32Array.from(train, (i) => input.labels[i] ?? 0),
      testFeatures: rows(input.features, input.dim, test),
      testLabels: Int32Array.from(test, (i) => input.labels[i] ?? 0),
      dim: input.dim,
      classes: input.classes,
      k: input.k,
    });
    correct += result.accuracy * test.length;
  }
  return n > 0 ? correct / n : Number.NaN;
}
