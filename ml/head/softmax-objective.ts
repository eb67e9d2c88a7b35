import { dotAt, transpose } from './vector-kernels.js';

/**
 * Multinomial logistic regression's objective on a fixed design matrix, in float64:
 *   f(W, b) = (1/n) Σ_i −log softmax(x_i W + b)[y_i] + (λ/2)·‖W‖²   (the bias is not penalised)
 * and its gradient. Parameters are packed as [W (dim × classes, row-major), b (classes)], the layout
 * `LinearHead` stores. A 5-class head on 128 features is 645 numbers: plain loops beat any tensor runtime
 * here, and float64 lets the optimiser reach tolerances float32 cannot.
 */
export interface SoftmaxProblem {
  x: Float64Array;
  /** The same matrix column-major ([dim, n]): the gradient pass is then one dot product per parameter. */
  xt: Float64Array;
  y: Int32Array;
  /** Per-row weights (sum n for the plain mean); pseudo-labelled rows may weigh less. */
  rowWeight: Float64Array;
  dim: number;
  classes: number;
  l2: number;
}

export interface SoftmaxDesign {
  /** Row-major [n, dim] standardised features. */
  x: Float64Array;
  y: Int32Array;
  rowWeight: Float64Array;
  dim: number;
  classes: number;
  l2: number;
}

export function softmaxProblem(design: SoftmaxDesign): SoftmaxProblem {
  return { ...design, xt: transpose(design.x, design.y.length, design.dim) };
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
 * f(θ) and, into `grad`, ∇f(θ). Two passes: the rows' weighted residuals w_i·(p_i − e_yi), stored class-major,
 * then ∂f/∂W_jc = Σ_i x_ij·r_ic as one dot product of a feature column with a residual column each.
 */
export function softmaxLossAndGradient(p: SoftmaxProblem, theta: Float64Array, grad: Float64Array): number {
  const { dim, classes, x, xt, y, rowWeight } = p;
  const n = y.length;
  const biasAt = dim * classes;
  const wt = transposedWeights(theta, dim, classes);
  const residual = new Float64Array(classes * n);
  const z = new Float64Array(classes);
  let totalWeight = 0;
  let loss = 0;
  for (let i = 0; i < n; i++) {
    const weight = rowWeight[i] as number;
    if (weight === 0) continue;
    totalWeight += weight;
    rowLogits(x, dim, wt, theta, i, z);
    const label = y[i] as number;
    const trueLogit = z[label] as number;
    loss += weight * (softmaxInPlace(z) - trueLogit);
    z[label] = (z[label] as number) - 1;
    for (let c = 0; c < classes; c++) residual[c * n + i] = (z[c] as number) * weight;
  }
  const scale = totalWeight > 0 ? 1 / totalWeight : 0;
  let penalty = 0;
  for (let j = 0; j < dim; j++) {
    for (let c = 0; c < classes; c++) {
      const k = j * classes + c;
      const w = theta[k] as number;
      penalty += w * w;
      grad[k] = dotAt(xt, j * n, residual, c * n, n) * scale + p.l2 * w;
    }
  }
  for (let c = 0; c < classes; c++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += residual[c * n + i] as number;
    grad[biasAt + c] = sum * scale;
  }
  return loss * scale + 0.5 * p.l2 * penalty;
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
