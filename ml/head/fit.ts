import { minimiseLbfgs } from './lbfgs.js';
import { softmaxPreconditioner, weightedGram } from './preconditioner.js';
import { parameterCount, softmaxLossAndGradient, softmaxProblem } from './softmax-objective.js';

export interface SoftmaxFitInput {
  /** Standardised features, row-major [n, dim], float64. */
  x: Float64Array;
  y: Int32Array;
  /** Per-row weights; omitted = every row weighs 1. */
  rowWeight?: Float64Array;
  dim: number;
  classes: number;
  l2: number;
  tolerance: number;
  maxIterations: number;
  /** Σ̃ of `weightedGram` for these rows, when the caller already has it (cross-validation folds). */
  gram?: Float64Array;
  /** Warm start (e.g. the solution for a neighbouring λ); zeros otherwise. */
  init?: Float64Array;
}

export interface SoftmaxFit {
  /** [W (dim × classes), b (classes)] packed, float64. */
  theta: Float64Array;
  weights: Float32Array;
  bias: Float32Array;
  /** Penalised mean cross-entropy at the solution. */
  loss: number;
  gradientNorm: number;
  iterations: number;
  converged: boolean;
  stop: 'gradient' | 'stalled' | 'iterations';
}

/**
 * L2-regularised multinomial logistic regression fitted to convergence (full-batch L-BFGS from zero, or a warm
 * start). The problem is strictly convex for λ > 0, so the solution does not depend on a seed or a start.
 */
export function fitSoftmaxRegression(input: SoftmaxFitInput): SoftmaxFit {
  const { dim, classes } = input;
  const problem = softmaxProblem({
    x: input.x,
    y: input.y,
    rowWeight: input.rowWeight ?? new Float64Array(input.y.length).fill(1),
    dim,
    classes,
    l2: input.l2,
  });
  const start = input.init ?? new Float64Array(parameterCount(dim, classes));
  const gram = input.gram ?? weightedGram(problem.xt, problem.rowWeight, dim);
  const result = minimiseLbfgs((theta, grad) => softmaxLossAndGradient(problem, theta, grad), start, {
    tolerance: input.tolerance,
    maxIterations: input.maxIterations,
    precondition: softmaxPreconditioner(gram, dim, classes, input.l2),
  });
  return {
    theta: result.theta,
    weights: Float32Array.from(result.theta.subarray(0, dim * classes)),
    bias: Float32Array.from(result.theta.subarray(dim * classes)),
    loss: result.value,
    gradientNorm: result.gradientNorm,
    iterations: result.iterations,
    converged: result.converged,
    stop: result.stop,
  };
}
