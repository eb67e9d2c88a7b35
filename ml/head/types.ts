import type { L2Choice } from './choose-l2.js';
import type { HeadFitSettings } from './params.js';

/**
 * The paper's classifier: one linear layer + softmax over C classes, on frozen backbone features.
 * Features are standardised with the stored mean/std before the layer (x' = (x − mean) / std).
 */
export interface LinearHead {
  dim: number;
  classes: number;
  /** W, [dim, classes] row-major. */
  weights: Float32Array;
  /** b, [classes]. */
  bias: Float32Array;
  mean: Float32Array;
  std: Float32Array;
}

export interface HeadTrainingOptions {
  /** Row-major [n, dim]. */
  features: Float32Array;
  dim: number;
  labels: Int32Array;
  classes: number;
  /** Seeds the cross-validation folds (the fit itself is deterministic). */
  seed: number;
  /** Standardise features with the sample's mean/std (stored in the head). Default true. */
  standardise?: boolean;
  /** Protocol settings; omitted ones take `HEAD_FIT_DEFAULTS`. */
  settings?: Partial<HeadFitSettings>;
}

/** How the final fit ended: the numbers a reader needs to trust that it converged. */
export interface FitSummary {
  l2: number;
  iterations: number;
  converged: boolean;
  gradientNorm: number;
  /** Penalised mean cross-entropy at the solution. */
  loss: number;
}

export interface HeadTrainingResult extends FitSummary {
  head: LinearHead;
  choice: L2Choice;
  trainMs: number;
}
