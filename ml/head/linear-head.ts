import { createRng, deriveSeed } from '../random.js';
import { chooseL2 } from './choose-l2.js';
import { fitSoftmaxRegression, type SoftmaxFit } from './fit.js';
import { HEAD_FIT_DEFAULTS, type HeadFitSettings } from './params.js';
import { featureMoments, identityMoments } from './standardise.js';
import type { HeadTrainingOptions, HeadTrainingResult, LinearHead } from './types.js';

function checkShapes(o: HeadTrainingOptions): void {
  const n = o.labels.length;
  if (o.features.length !== n * o.dim) {
    throw new Error(`features hold ${o.features.length} values, expected ${n} × ${o.dim}`);
  }
  if (n === 0) throw new Error('no labelled rows to train the head on');
}

/** (x − mean) / std in float64, the optimiser's design matrix. */
export function standardisedDesign(
  features: Float32Array,
  mean: Float32Array,
  std: Float32Array,
): Float64Array {
  const dim = mean.length;
  const out = new Float64Array(features.length);
  for (let i = 0; i < features.length; i++) {
    const j = i % dim;
    out[i] = ((features[i] ?? 0) - (mean[j] ?? 0)) / (std[j] ?? 1);
  }
  return out;
}

export function resolveSettings(options: HeadTrainingOptions): HeadFitSettings {
  return { ...HEAD_FIT_DEFAULTS, ...options.settings };
}

export function headMoments(options: HeadTrainingOptions) {
  return options.standardise === false
    ? identityMoments(options.dim)
    : featureMoments(options.features, options.dim);
}

export function headFromFit(
  fit: SoftmaxFit,
  options: Pick<HeadTrainingOptions, 'dim' | 'classes'>,
  moments: { mean: Float32Array; std: Float32Array },
): LinearHead {
  return {
    dim: options.dim,
    classes: options.classes,
    weights: fit.weights,
    bias: fit.bias,
    mean: moments.mean,
    std: moments.std,
  };
}

/**
 * The linear evaluation: standardise with the labelled sample's moments, choose λ by stratified k-fold CV inside
 * the sample, then fit softmax regression on the whole sample to convergence. No validation hold-out is wasted
 * and nothing stops early: the iteration count and the final gradient norm are recorded instead.
 */
export function trainLinearHead(options: HeadTrainingOptions): HeadTrainingResult {
  const started = performance.now();
  checkShapes(options);
  const settings = resolveSettings(options);
  const moments = headMoments(options);
  const design = {
    x: standardisedDesign(options.features, moments.mean, moments.std),
    y: options.labels,
    dim: options.dim,
    classes: options.classes,
  };
  const choice = chooseL2(design, settings, createRng(deriveSeed(options.seed, 1)));
  const fit = fitSoftmaxRegression({
    ...design,
    l2: choice.l2,
    tolerance: settings.tolerance,
    maxIterations: settings.maxIterations,
  });
  return {
    head: headFromFit(fit, options, moments),
    choice,
    l2: choice.l2,
    iterations: fit.iterations,
    converged: fit.converged,
    gradientNorm: fit.gradientNorm,
    loss: fit.loss,
    trainMs: performance.now() - started,
  };
}
