/**
 * Limited-memory BFGS for a smooth convex objective (Nocedal & Wright, Algorithm 7.4 with a backtracking
 * Armijo line search). It runs until the gradient's largest component is below `tolerance`, so a fit
 * stops because it has converged, not because a budget of epochs ran out; the caller records why it stopped.
 */
export type Objective = (theta: Float64Array, grad: Float64Array) => number;

export interface LbfgsOptions {
  /** Stop when max_k |∂f/∂θ_k| ≤ tolerance. */
  tolerance: number;
  maxIterations: number;
  /** Correction pairs kept (SciPy and scikit-learn use 10). */
  memory?: number;
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

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let k = 0; k < a.length; k++) s += (a[k] ?? 0) * (b[k] ?? 0);
  return s;
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}

interface Pair {
  s: Float64Array;
  y: Float64Array;
  rho: number;
}

/** The two-loop recursion: d = −H·g with H the L-BFGS inverse-Hessian estimate. */
function searchDirection(grad: Float64Array, pairs: readonly Pair[]): Float64Array {
  const q = Float64Array.from(grad);
  const alpha = new Array<number>(pairs.length);
  for (let i = pairs.length - 1; i >= 0; i--) {
    const { s, y, rho } = pairs[i] as Pair;
    const a = rho * dot(s, q);
    alpha[i] = a;
    for (let k = 0; k < q.length; k++) q[k] = (q[k] ?? 0) - a * (y[k] ?? 0);
  }
  const last = pairs.at(-1);
  const gamma = last
    ? dot(last.s, last.y) / dot(last.y, last.y)
    : 1 / Math.max(1, Math.sqrt(dot(grad, grad)));
  for (let k = 0; k < q.length; k++) q[k] = (q[k] ?? 0) * gamma;
  for (let i = 0; i < pairs.length; i++) {
    const { s, y, rho } = pairs[i] as Pair;
    const b = rho * dot(y, q);
    const a = alpha[i] ?? 0;
    for (let k = 0; k < q.length; k++) q[k] = (q[k] ?? 0) + (a - b) * (s[k] ?? 0);
  }
  for (let k = 0; k < q.length; k++) q[k] = -(q[k] ?? 0);
  return q;
}

export function minimiseLbfgs(f: Objective, start: Float64Array, options: LbfgsOptions): LbfgsResult {
  const memory = options.memory ?? 10;
  let theta = Float64Array.from(start);
  let grad = new Float64Array(theta.length);
  let value = f(theta, grad);
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
    let direction = searchDirection(grad, pairs);
    let slope = dot(grad, direction);
    if (!(slope < 0)) {
      // The estimate lost positive-definiteness (rounding): restart from steepest descent.
      pairs.length = 0;
      direction = searchDirection(grad, pairs);
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
    const sy = dot(s, y);
    if (sy > 1e-12 * Math.sqrt(dot(y, y) * dot(s, s))) {
      pairs.push({ s, y, rho: 1 / sy });
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
