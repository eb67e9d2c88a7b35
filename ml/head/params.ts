import { z } from 'zod';

/**
 * Every setting of the linear evaluation, with its default, in one place. The protocol: softmax regression on
 * standardised features with an L2 penalty, fitted to convergence by full-batch L-BFGS; the penalty is chosen by
 * stratified k-fold cross-validation inside the labelled training sample (never the test split).
 * Pseudo-labelling (semi-supervised mode) refits the same model on labels + confident predictions.
 */
export const HeadFitParams = z.strictObject({
  /** Candidate λ for (λ/2)·‖W‖² on the mean cross-entropy (scikit-learn's C = 1/(n·λ)). */
  l2Grid: z
    .array(z.number().gt(0, 'an L2 strength is > 0, e.g. 1e-3'))
    .min(1)
    .max(100)
    .default([1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1]),
  /** Folds for choosing λ; fewer when the smallest class has fewer samples (no CV below 2 per class). */
  cvFolds: z.number().int().min(2).max(20).default(5),
  /** λ used when the sample is too small to cross-validate (a class with a single labelled crop). */
  l2Fallback: z.number().gt(0).default(1e-2),
  /** Converged when every gradient component is at most this (float64, mean-loss scale; scikit-learn: 1e-4). */
  tolerance: z.number().gt(0).max(1e-2).default(1e-5),
  /**
   * Tolerance of the cross-validation fits, which only rank λ: scikit-learn's default. Held-out losses of
   * neighbouring grid points differ by far more than a fit this close to its optimum can move them.
   */
  cvTolerance: z.number().gt(0).max(1e-2).default(1e-4),
  maxIterations: z.number().int().min(10).max(1_000_000).default(2000),
  /** Minimum max-probability of a pseudo-label (semi-supervised). */
  pseudoThreshold: z.number().gt(0).max(1).default(0.9),
  /** Pseudo-labelling rounds after the supervised fit (semi-supervised). */
  pseudoRounds: z.number().int().min(1).max(100).default(2),
  /** Weight of one pseudo-labelled row relative to one true label (1: equal). */
  pseudoWeight: z.number().gt(0).max(1).default(1),
});

export type HeadFitSettings = z.output<typeof HeadFitParams>;

export const HEAD_FIT_DEFAULTS: HeadFitSettings = HeadFitParams.parse({});
