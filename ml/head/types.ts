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

export interface EpochRecord {
  epoch: number;
  lr: number;
  trainLoss: number;
  /** NaN when there is no validation split. */
  valLoss: number;
  valAccuracy: number;
}

export interface HeadTrainingOptions {
  /** Row-major [n, dim]. */
  features: Float32Array;
  dim: number;
  labels: Int32Array;
  classes: number;
  /** Share of the sample held out (stratified, seeded) for early stopping; 0 disables it. */
  valShare?: number;
  /** Upper bound on epochs. */
  epochs?: number;
  batchSize?: number;
  /** Peak learning rate of SGD (momentum 0.9), decayed by a cosine over `epochs`. */
  lr?: number;
  weightDecay?: number;
  /** Stop after this many epochs without a better validation loss (best weights are kept). */
  patience?: number;
  seed: number;
  /** Standardise features with the training split's mean/std (stored in the head). Default true. */
  standardise?: boolean;
}

export interface HeadTrainingResult {
  head: LinearHead;
  epochsRun: number;
  /** Epoch (1-based) whose weights were kept. */
  bestEpoch: number;
  trainMs: number;
  history: EpochRecord[];
  /** Indices (into the sample) used for training and for validation. */
  trainIndices: Int32Array;
  valIndices: Int32Array;
}
