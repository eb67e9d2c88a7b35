/**
 * Limited-memory BFGS for a smooth convex objective (Nocedal & Wright, Algorithm 7.4 with a backtracking
 * Armijo line search). It runs until the gradient's largest component is below `tolerance`, so a fit
 * stops because it has converged, not because a budget of epochs ran out; the caller records why it stopped.
 */
import type { Preconditioner } from './preconditioner.js';
import { dot } from './vector-kernels.js';

export type Objective = (theta: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when max_k |∂f/∂θ_k| ≤ tolerance. */
  tolerance: number;
  maxIterations: number;
  /** Correction pairs kept (SciPy and scikit-learn use 10). */
  memory?: number;
  /** H₀, the initial inverse-Hessian estimate (scaled each iteration by sᵀy / yᵀH₀y); identity when omitted. */
  precondition?: Preconditioner;
}

export interface LbfgsResult {
  theta: Float64Array;
  value: number;
  /** max_k |∂f/∂θ_k| at the returned point. */
  gradientNorm: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  /** Why the loop ended: 'gradient' (converged), 'stalled' (no decrease possible in float64), 'iterations'. */
  stop: 'gradient' | 'stalled' | 'iterations';
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

interface Pair {
  s: Float64Array;
  y: Float64Array;
  /** H₀·y. */
  hy: Float64Array;
  rho: number;
  /** sᵀy / yᵀH₀y (Shanno–Phua): the scale of H₀ while this is the newest pair. */
  gamma: number;
}

/** v ← v + a·u. */
function addScaled(v: Float64Array, a: number, u: Float64Array): void {
  for (let k = 0; k < v.length; k++) v[k] = (v[k] as number) + a * (u[k] as number);
}

/**
 * The two-loop recursion: d = −H·g with H the L-BFGS inverse-Hessian estimate built on γ·H₀. H₀ is linear, so
 * H₀·q = H₀·g − Σ α_i·H₀·y_i is assembled from vectors already known (`hg` = H₀·g, each pair's H₀·y): the
 * preconditioner runs once per iteration, on the new gradient, and never inside this recursion.
 */
function searchDirection(grad: Float64Array, hg: Float64Array, pairs: readonly Pair[]): Float64Array {
  const q = Float64Array.from(grad);
  const r = Float64Array.from(hg);
  const alpha = new Array<number>(pairs.length);
  for (let i = pairs.length - 1; i >= 0; i--) {
    const { s, y, hy, rho } = pairs[i] as Pair;
    const a = rho * dot(s, q);
    alpha[i] = a;
    addScaled(q, -a, y);
    addScaled(r, -a, hy);
  }
  const last = pairs.at(-1);
  const gamma = last ? last.gamma : 1;
  for (let k = 0; k < r.length; k++) r[k] = gamma * (r[k] as number);
  for (let i = 0; i < pairs.length; i++) {
    const { s, y, rho } = pairs[i] as Pair;
    addScaled(r, (alpha[i] as number) - rho * dot(y, r), s);
  }
  for (let k = 0; k < r.length; k++) r[k] = -(r[k] as number);
  return r;
}

/**
 * H₀·g. Without a preconditioner H₀ = I, with the first step scaled to unit length (the usual start before any
 * curvature pair exists).
 */
function initialProduct(grad: Float64Array, h0: Preconditioner | undefined, first: boolean): Float64Array {
  const out = new Float64Array(grad.length);
  if (h0) {
    h0(grad, out);
    return out;
  }
  out.set(grad);
  if (first)
    for (let k = 0; k < out.length; k++)
      out[k] = (out[k] as number) / Math.max(1, Math.sqrt(dot(grad, grad)));
  return out;
}

export function minimiseLbfgs(f: Objective, start: Float64Array, options: LbfgsOptions): LbfgsResult {
  const memory = options.memory ?? 10;
  let theta = Float64Array.from(start);
  let grad = new Float64Array(theta.length);
  let value = f(theta, grad);
  let hg = initialProduct(grad, options.precondition, true);
  let evaluations = 1;
  const pairs: Pair[] = [];
  let iterations = 0;
  let stop: LbfgsResult['stop'] = 'iterations';
  const next = new Float64Array(theta.length);
  let nextGrad = new Float64Array(theta.length);
  while (iterations < options.maxIterations) {
    if (maxAbs(grad) <= options.tolerance) {
      stop = 'gradient';
      break;
    }
    let direction = searchDirection(grad, hg, pairs);
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // The estimate lost positive-definiteness (rounding): restart from the preconditioned gradient.
      pairs.length = 0;
      direction = searchDirection(grad, hg, pairs);
      slope = dot(grad, direction);
    }
    let step = 1;
    let nextValue = Number.POSITIVE_INFINITY;
    for (let tries = 0; tries < 40; tries++) {
      for (let k = 0; k < theta.length; k++) next[k] = (theta[k] ?? 0) + step * (direction[k] ?? 0);
      nextValue = f(next, nextGrad);
      evaluations++;
      if (nextValue <= value + 1e-4 * step * slope) break;
      step *= 0.5;
    }
    if (!(nextValue < value)) {
      stop = 'stalled';
      break;
    }
    iterations++;
    const s = new Float64Array(theta.length);
    const y = new Float64Array(theta.length);
    for (let k = 0; k < theta.length; k++) {
      s[k] = (next[k] ?? 0) - (theta[k] ?? 0);
      y[k] = (nextGrad[k] ?? 0) - (grad[k] ?? 0);
    }
    const nextHg = initialProduct(nextGrad, options.precondition, false);
    const hy = new Float64Array(theta.length);
    for (let k = 0; k < theta.length; k++) hy[k] = (nextHg[k] as number) - (hg[k] as number);
    hg = nextHg;
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(y, y) * dot(s, s))) {
      pairs.push({ s, y, hy, rho: 1 / sy, gamma: sy / dot(y, hy) });
      if (pairs.length > memory) pairs.shift();
    }
    theta = Float64Array.from(next);
    [grad, nextGrad] = [nextGrad, grad];
    value = nextValue;
  }
  const gradientNorm = maxAbs(grad);
  return {
    theta,
    value,
    gradientNorm,
    iterations,
    evaluations,
    converged: gradientNorm <= options.tolerance,
    stop: stop === 'iterations' && gradientNorm <= options.tolerance ? 'gradient' : stop,
  };
}
