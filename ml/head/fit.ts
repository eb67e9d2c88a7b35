import { minimiseLbfgs } from './lbfgs.js';
import { softmaxPreconditioner, weightedGram } from './preconditioner.js';
import {
  parameterCount,
  type SoftmaxProblem,
  softmaxLossAndGradient,
  softmaxProblem,
} from './softmax-objective.js';

export interface SoftmaxFitInput {
  /** Standardised features, row-major [n, dim], float64. */
  x: Float64Array;
  y: Int32Array;
  /** Per-row weights; omitted = every row weighs 1. */
  rowWeight?: Float64Array;
  dim: number;
  classes: number;
}

export interface FitSettings {
  l2: number;
  tolerance: number;
  maxIterations: number;
  /** Warm start (e.g. the solution for a neighbouring λ); zeros otherwise. */
  init?: Float64Array;
}

/** A design in the kernel's memory with its Gram matrix: neither depends on λ, so a λ path prepares once. */
export interface PreparedDesign {
  problem: SoftmaxProblem;
  gram: Float64Array;
}

export function prepareDesign(input: SoftmaxFitInput): PreparedDesign {
  const problem = softmaxProblem({
    x: input.x,
    y: input.y,
    rowWeight: input.rowWeight ?? new Float64Array(input.y.length).fill(1),
    dim: input.dim,
    classes: input.classes,
  });
  return { problem, gram: weightedGram(problem) };
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
export function fitPrepared(prepared: PreparedDesign, settings: FitSettings): SoftmaxFit {
  const { problem, gram } = prepared;
  const { dim, classes } = problem;
  const start = settings.init ?? new Float64Array(parameterCount(dim, classes));
  const result = minimiseLbfgs(
    (theta, grad) => softmaxLossAndGradient(problem, settings.l2, theta, grad),
    start,
    {
      tolerance: settings.tolerance,
      maxIterations: settings.maxIterations,
      precondition: softmaxPreconditioner(problem, gram, settings.l2),
    },
  );
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

export function fitSoftmaxRegression(input: SoftmaxFitInput & FitSettings): SoftmaxFit {
  return fitPrepared(prepareDesign(input), input);
}
