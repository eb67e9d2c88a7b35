/**
 * Multinomial logistic regression's objective on a fixed design matrix, in float64:
 *   f(W, b) = (1/n) Σ_i −log softmax(x_i W + b)[y_i] + (λ/2)·‖W‖²   (the bias is not penalised)
 * and its gradient. Parameters are packed as [W (dim × classes, row-major), b (classes)], the layout
 * `LinearHead` stores. A 5-class head on 128 features is 645 numbers: plain loops beat any tensor runtime
 * here, and float64 lets the optimiser reach tolerances float32 cannot.
 */
export interface SoftmaxProblem {
  /** Row-major [n, dim] standardised features. */
  x: Float64Array;
  y: Int32Array;
  /** Per-row weights (sum n for the plain mean); pseudo-labelled rows may weigh less. */
  rowWeight: Float64Array;
  dim: number;
  classes: number;
  l2: number;
}

export function parameterCount(dim: number, classes: number): number {
  return (dim + 1) * classes;
}

// The two inner loops, unrolled by four: V8 then keeps four independent sums in flight (~2× faster).

/** Σ_j a[ao + j]·b[bo + j] for j < len. */
function dot(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < len; j += 4) {
    s0 += (a[ao + j] as number) * (b[bo + j] as number);
    s1 += (a[ao + j + 1] as number) * (b[bo + j + 1] as number);
    s2 += (a[ao + j + 2] as number) * (b[bo + j + 2] as number);
    s3 += (a[ao + j + 3] as number) * (b[bo + j + 3] as number);
  }
  for (; j < len; j++) s0 += (a[ao + j] as number) * (b[bo + j] as number);
  return s0 + s1 + s2 + s3;
}

/** out[oo + j] += r·a[ao + j] for j < len. */
function axpy(r: number, a: Float64Array, ao: number, out: Float64Array, oo: number, len: number): void {
  let j = 0;
  for (; j + 3 < len; j += 4) {
    out[oo + j] = (out[oo + j] as number) + r * (a[ao + j] as number);
    out[oo + j + 1] = (out[oo + j + 1] as number) + r * (a[ao + j + 1] as number);
    out[oo + j + 2] = (out[oo + j + 2] as number) + r * (a[ao + j + 2] as number);
    out[oo + j + 3] = (out[oo + j + 3] as number) + r * (a[ao + j + 3] as number);
  }
  for (; j < len; j++) out[oo + j] = (out[oo + j] as number) + r * (a[ao + j] as number);
}

/** Index of the largest of `count` values starting at `offset` (the first on ties). */
export function argmaxAt(values: Float64Array, offset: number, count: number): number {
  let best = 0;
  for (let c = 1; c < count; c++) if ((values[offset + c] ?? 0) > (values[offset + best] ?? 0)) best = c;
  return best;
}

/** W transposed to [classes, dim], so each logit and gradient row is one contiguous dot product. */
function transposedWeights(theta: Float64Array, dim: number, classes: number): Float64Array {
  const wt = new Float64Array(classes * dim);
  for (let j = 0; j < dim; j++)
    for (let c = 0; c < classes; c++) wt[c * dim + j] = theta[j * classes + c] as number;
  return wt;
}

/** Row logits x_i·W + b into `out` (length classes), with `wt` from `transposedWeights`. */
function rowLogits(
  p: SoftmaxProblem,
  wt: Float64Array,
  theta: Float64Array,
  i: number,
  out: Float64Array,
): void {
  const { dim, classes, x } = p;
  const row = i * dim;
  for (let c = 0; c < classes; c++) {
    const base = c * dim;
    out[c] = (theta[dim * classes + c] as number) + dot(x, row, wt, base, dim);
  }
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

/** f(θ) and, into `grad`, ∇f(θ). */
export function softmaxLossAndGradient(p: SoftmaxProblem, theta: Float64Array, grad: Float64Array): number {
  const { dim, classes, x, y, rowWeight } = p;
  const biasAt = dim * classes;
  const wt = transposedWeights(theta, dim, classes);
  // Accumulated transposed too ([classes, dim]) for contiguous writes, then scattered into `grad`.
  const gt = new Float64Array(classes * dim);
  const gb = new Float64Array(classes);
  const z = new Float64Array(classes);
  let totalWeight = 0;
  let loss = 0;
  for (let i = 0; i < y.length; i++) {
    const weight = rowWeight[i] ?? 1;
    if (weight === 0) continue;
    totalWeight += weight;
    rowLogits(p, wt, theta, i, z);
    const label = y[i] as number;
    const trueLogit = z[label] as number;
    loss += weight * (softmaxInPlace(z) - trueLogit);
    z[label] = (z[label] as number) - 1;
    const row = i * dim;
    for (let c = 0; c < classes; c++) {
      const r = (z[c] as number) * weight;
      gb[c] = (gb[c] as number) + r;
      const base = c * dim;
      axpy(r, x, row, gt, base, dim);
    }
  }
  const scale = totalWeight > 0 ? 1 / totalWeight : 0;
  let penalty = 0;
  for (let j = 0; j < dim; j++) {
    for (let c = 0; c < classes; c++) {
      const k = j * classes + c;
      const w = theta[k] as number;
      penalty += w * w;
      grad[k] = (gt[c * dim + j] as number) * scale + p.l2 * w;
    }
  }
  for (let c = 0; c < classes; c++) grad[biasAt + c] = (gb[c] as number) * scale;
  return loss * scale + 0.5 * p.l2 * penalty;
}

/** Mean cross-entropy and accuracy of θ on rows `x`/`y` (no penalty): the cross-validation score. */
export function softmaxScore(
  p: Pick<SoftmaxProblem, 'dim' | 'classes'>,
  theta: Float64Array,
  x: Float64Array,
  y: Int32Array,
): { logLoss: number; accuracy: number } {
  const problem: SoftmaxProblem = { ...p, x, y, rowWeight: new Float64Array(0), l2: 0 };
  const wt = transposedWeights(theta, p.dim, p.classes);
  const z = new Float64Array(p.classes);
  let loss = 0;
  let correct = 0;
  for (let i = 0; i < y.length; i++) {
    rowLogits(problem, wt, theta, i, z);
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
  const problem: SoftmaxProblem = { ...p, x, y: new Int32Array(0), rowWeight: new Float64Array(0), l2: 0 };
  const probs = new Float64Array(n * p.classes);
  const wt = transposedWeights(theta, p.dim, p.classes);
  const z = new Float64Array(p.classes);
  for (let i = 0; i < n; i++) {
    rowLogits(problem, wt, theta, i, z);
    softmaxInPlace(z);
    probs.set(z, i * p.classes);
  }
  return probs;
}
