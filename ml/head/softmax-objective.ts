import { dotAt, transpose } from './vector-kernels.js';
import { type AbtKernel, createAbtKernel } from './wasm-abt.js';

/**
 * Multinomial logistic regression's objective on a fixed design matrix, in float64:
 *   f(W, b) = (1/Σw) Σ_i w_i·(−log softmax(x_i W + b)[y_i]) + (λ/2)·‖W‖²   (the bias is not penalised)
 * and its gradient. Parameters are packed as [W (dim × classes, row-major), b (classes)], the layout
 * `LinearHead` stores. float64 lets the optimiser reach tolerances float32 cannot; the two dense products of
 * each evaluation run in a WebAssembly SIMD kernel (wasm-abt.ts), the rest (softmax, loss) in plain loops.
 */
export interface SoftmaxDesign {
  /** Row-major [n, dim] standardised features. */
  x: Float64Array;
  y: Int32Array;
  /** Per-row weights (all 1 for the plain mean); pseudo-labelled rows may weigh less. */
  rowWeight: Float64Array;
  dim: number;
  classes: number;
}

/** A design laid out once in the kernel's memory, for every evaluation (and every λ) of the fits on it. */
export interface SoftmaxProblem extends SoftmaxDesign {
  /** The same matrix column-major ([dim, n]), for the gradient pass and the Gram matrix. */
  xt: Float64Array;
  kernel: AbtKernel;
  /** Element offsets in `kernel.f64`: X, Xᵀ, per-evaluation scratch, and the preconditioner's matrices. */
  at: Record<keyof ReturnType<typeof regionSizes>, number>;
}

/**
 * The problem's workspace, in elements. One WebAssembly memory per design, reused by every evaluation and every
 * λ: creating one reserves gigabytes of address space in V8, far too slow to do per fit.
 */
function regionSizes(n: number, dim: number, classes: number) {
  const m = dim + 1;
  return {
    x: n * dim,
    xt: n * dim,
    wt: classes * dim,
    logits: n * classes,
    residual: classes * n,
    grad: dim * classes,
    wxt: n * dim,
    gram: dim * dim,
    // preconditioner.ts: U = L⁻ᵀ, A⁻¹ = U·Uᵀ, the centred gradient (class-major) and A⁻¹ times it.
    u: m * m,
    inverse: m * m,
    columns: classes * m,
    solved: m * classes,
  };
}

export function softmaxProblem(design: SoftmaxDesign): SoftmaxProblem {
  const { dim, classes } = design;
  const n = design.y.length;
  const sizes = regionSizes(n, dim, classes);
  let next = 0;
  const at = Object.fromEntries(
    Object.entries(sizes).map(([name, size]) => {
      const offset = next;
      next += size;
      return [name, offset];
    }),
  ) as SoftmaxProblem['at'];
  const kernel = createAbtKernel(next);
  const x = kernel.f64.subarray(at.x, at.x + n * dim);
  x.set(design.x);
  const xt = kernel.f64.subarray(at.xt, at.xt + n * dim);
  xt.set(transpose(design.x, n, dim));
  return { ...design, x, xt, kernel, at };
}

export function parameterCount(dim: number, classes: number): number {
  return (dim + 1) * classes;
}

/** Index of the largest of `count` values starting at `offset` (the first on ties). */
export function argmaxAt(values: Float64Array, offset: number, count: number): number {
  let best = 0;
  for (let c = 1; c < count; c++) if ((values[offset + c] ?? 0) > (values[offset + best] ?? 0)) best = c;
  return best;
}

/** W transposed to [classes, dim], so each logit is one contiguous dot product. */
function transposedWeights(theta: Float64Array, dim: number, classes: number): Float64Array {
  return transpose(theta.subarray(0, dim * classes), dim, classes);
}

/** Row logits x_i·W + b into `out` (length classes), with `wt` from `transposedWeights`. */
function rowLogits(
  x: Float64Array,
  dim: number,
  wt: Float64Array,
  theta: Float64Array,
  i: number,
  out: Float64Array,
): void {
  const classes = out.length;
  const row = i * dim;
  for (let c = 0; c < classes; c++)
    out[c] = (theta[dim * classes + c] as number) + dotAt(x, row, wt, c * dim, dim);
}

/** In-place softmax of `z`; returns log Σ exp(z) (for the loss). */
function softmaxInPlace(z: Float64Array): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let c = 0; c < z.length; c++) {
    const e = Math.exp((z[c] ?? 0) - max);
    z[c] = e;
    sum += e;
  }
  for (let c = 0; c < z.length; c++) z[c] = (z[c] ?? 0) / sum;
  return max + Math.log(sum);
}

/**
 * f(θ) and, into `grad`, ∇f(θ). Logits X·Wᵀ in the kernel; per row the softmax, the loss and the weighted
 * residual w_i·(p_i − e_yi), stored class-major; then ∂f/∂W = Xᵀ·R in the kernel again.
 */
export function softmaxLossAndGradient(
  p: SoftmaxProblem,
  l2: number,
  theta: Float64Array,
  grad: Float64Array,
): number {
  const { dim, classes, y, rowWeight, kernel, at } = p;
  const n = y.length;
  const f64 = kernel.f64;
  const biasAt = dim * classes;
  f64.set(transposedWeights(theta, dim, classes), at.wt);
  kernel.abt(at.x, at.wt, at.logits, n, classes, dim);
  const z = new Float64Array(classes);
  let totalWeight = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const weight = rowWeight[i] as number;
    for (let c = 0; c < classes; c++)
      z[c] = (f64[at.logits + i * classes + c] as number) + (theta[biasAt + c] as number);
    const label = y[i] as number;
    const trueLogit = z[label] as number;
    totalWeight += weight;
    loss += weight === 0 ? 0 : weight * (softmaxInPlace(z) - trueLogit);
    z[label] = (z[label] as number) - 1;
    for (let c = 0; c < classes; c++)
      f64[at.residual + c * n + i] = weight === 0 ? 0 : (z[c] as number) * weight;
  }
  kernel.abt(at.xt, at.residual, at.grad, dim, classes, n);
  const scale = totalWeight > 0 ? 1 / totalWeight : 0;
  let penalty = 0;
  for (let k = 0; k < biasAt; k++) {
    const w = theta[k] as number;
    penalty += w * w;
    grad[k] = (f64[at.grad + k] as number) * scale + l2 * w;
  }
  for (let c = 0; c < classes; c++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += f64[at.residual + c * n + i] as number;
    grad[biasAt + c] = sum * scale;
  }
  return loss * scale + 0.5 * l2 * penalty;
}

/** Mean cross-entropy and accuracy of θ on rows `x`/`y` (no penalty): the cross-validation score. */
export function softmaxScore(
  p: Pick<SoftmaxProblem, 'dim' | 'classes'>,
  theta: Float64Array,
  x: Float64Array,
  y: Int32Array,
): { logLoss: number; accuracy: number } {
  const wt = transposedWeights(theta, p.dim, p.classes);
  const z = new Float64Array(p.classes);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    rowLogits(x, p.dim, wt, theta, i, z);
    const label = y[i] ?? 0;
    if (argmaxAt(z, 0, p.classes) === label) correct++;
    const trueLogit = z[label] ?? 0;
    loss += softmaxInPlace(z) - trueLogit;
  }
  return { logLoss: loss / Math.max(1, y.length), accuracy: correct / Math.max(1, y.length) };
}

/** Row-major [n, classes] softmax probabilities of θ on rows `x`. */
export function softmaxProbabilities(
  p: Pick<SoftmaxProblem, 'dim' | 'classes'>,
  theta: Float64Array,
  x: Float64Array,
): Float64Array {
  const n = x.length / p.dim;
  const probs = new Float64Array(n * p.classes);
  const wt = transposedWeights(theta, p.dim, p.classes);
  const z = new Float64Array(p.classes);
  for (let i = 0; i < n; i++) {
    rowLogits(x, p.dim, wt, theta, i, z);
    softmaxInPlace(z);
    probs.set(z, i * p.classes);
  }
  return probs;
}
