import { standardisedDesign } from './linear-head.js';
import { argmaxAt, softmaxProbabilities } from './softmax-objective.js';
import type { LinearHead } from './types.js';

export interface HeadPredictions {
  /** Row-major [n, classes] softmax probabilities. */
  probs: Float32Array;
  /** Arg-max class per row. */
  labels: Int32Array;
}

/** Applies the head (standardise, linear, softmax) to raw features [n, dim], in float64 like the fit. */
export function predictHead(head: LinearHead, features: Float32Array): HeadPredictions {
  const n = features.length / head.dim;
  if (!Number.isInteger(n))
    throw new Error(`features length ${features.length} is not a multiple of ${head.dim}`);
  const theta = new Float64Array((head.dim + 1) * head.classes);
  theta.set(head.weights);
  theta.set(head.bias, head.dim * head.classes);
  const probs = softmaxProbabilities(head, theta, standardisedDesign(features, head.mean, head.std));
  const labels = Int32Array.from({ length: n }, (_, i) => argmaxAt(probs, i * head.classes, head.classes));
  return { probs: Float32Array.from(probs), labels };
}
