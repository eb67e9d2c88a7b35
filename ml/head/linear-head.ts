import { createRng, deriveSeed } from '../random.js';
import { fitSoftmaxRegression } from './fit.js';
import { selectRows, stratifiedSplit } from './split.js';
import { featureMoments, identityMoments, standardiseRows } from './standardise.js';
import type { HeadTrainingOptions, HeadTrainingResult, LinearHead } from './types.js';

export const HEAD_DEFAULTS = {
  valShare: 0.1,
  epochs: 100,
  batchSize: 256,
  lr: 0.1,
  weightDecay: 1e-4,
  patience: 10,
  momentum: 0.9,
} as const;

function checkShapes(o: HeadTrainingOptions): number {
  const n = o.labels.length;
  if (o.features.length !== n * o.dim) {
    throw new Error(`features hold ${o.features.length} values, expected ${n} × ${o.dim}`);
  }
  return n;
}

/** Extra training rows (e.g. pseudo-labelled) that join the training split but never the validation one. */
export interface ExtraTrainingRows {
  features: Float32Array;
  labels: Int32Array;
}

/**
 * Trains the linear softmax head on cached features: stratified seeded validation split, feature
 * standardisation from the training split, SGD with cosine decay and early stopping on validation loss.
 * `extra` rows are standardised with the same moments and added to training only.
 */
export function trainLinearHead(options: HeadTrainingOptions, extra?: ExtraTrainingRows): HeadTrainingResult {
  const started = performance.now();
  checkShapes(options);
  const o = { ...HEAD_DEFAULTS, ...options };
  const split = stratifiedSplit(
    options.labels,
    options.classes,
    o.valShare,
    createRng(deriveSeed(o.seed, 1)),
  );
  const trainRaw = selectRows(options.features, options.dim, split.train);
  const moments =
    o.standardise === false ? identityMoments(options.dim) : featureMoments(trainRaw, options.dim);
  const x = standardiseRows(trainRaw, moments.mean, moments.std);
  const y = Int32Array.from(split.train, (i) => options.labels[i] ?? 0);
  const extraX = extra ? standardiseRows(extra.features, moments.mean, moments.std) : new Float32Array(0);
  const fit = fitSoftmaxRegression({
    x: concatFloat(x, extraX),
    y: concatInt(y, extra?.labels ?? new Int32Array(0)),
    valX: standardiseRows(selectRows(options.features, options.dim, split.val), moments.mean, moments.std),
    valY: Int32Array.from(split.val, (i) => options.labels[i] ?? 0),
    dim: options.dim,
    classes: options.classes,
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    weightDecay: o.weightDecay,
    momentum: o.momentum,
    patience: o.patience,
    rng: createRng(deriveSeed(o.seed, 2)),
  });
  const head: LinearHead = {
    dim: options.dim,
    classes: options.classes,
    weights: fit.weights,
    bias: fit.bias,
    mean: moments.mean,
    std: moments.std,
  };
  return {
    head,
    epochsRun: fit.epochsRun,
    bestEpoch: fit.bestEpoch,
    trainMs: performance.now() - started,
    history: fit.history,
    trainIndices: split.train,
    valIndices: split.val,
  };
}

function concatFloat(a: Float32Array, b: Float32Array): Float32Array {
  if (b.length === 0) return a;
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function concatInt(a: Int32Array, b: Int32Array): Int32Array {
  if (b.length === 0) return a;
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
