import { choleskyFactor, lowerInverse } from './cholesky.js';
import type { SoftmaxProblem } from './softmax-objective.js';
import { dotAt, transpose } from './vector-kernels.js';

/**
 * A fixed inverse-Hessian estimate for L-BFGS on the softmax objective, so the optimiser's iteration count no
 * longer grows with the conditioning of the features (correlated backbone features at weak λ took 100+
 * iterations unpreconditioned). Böhning's bound gives, with x̃ = [x, 1] and Θ = [W; b] as a (dim+1) × k matrix,
 *   ∇²f ≼ B = ½·Σ̃ ⊗ (I − 11ᵀ/k) + Λ ⊗ I,   Σ̃ = Σ_i w_i x̃_i x̃_iᵀ / Σ_i w_i,  Λ = diag(λ, …, λ, 0).
 * The two projections commute, so B⁻¹G = (½Σ̃ + Λ)⁻¹·G·(I − 11ᵀ/k) + Λ⁻¹·G·11ᵀ/k: one Cholesky factor of a
 * (dim+1)² matrix per fit. The bias row of G·11ᵀ/k is the sum of the bias gradient, which is zero (softmax is
 * shift invariant and the bias is unpenalised), so that null direction is simply dropped.
 * The minimiser is unchanged; only the path to it is shorter.
 */
export type Preconditioner = (grad: Float64Array, out: Float64Array) => void;

/**
 * Σ̃ = Σ_i w_i x̃_i x̃_iᵀ / Σ_i w_i, (dim+1)², lower triangle (the Cholesky reads only that): the feature block
 * as one kernel product (diag(w)·X)ᵀ·X over the problem's column-major design, the bias row and corner in JS.
 */
export function weightedGram(p: SoftmaxProblem): Float64Array {
  const { dim, rowWeight, xt, kernel, at } = p;
  const n = rowWeight.length;
  const m = dim + 1;
  let total = 0;
  for (const w of rowWeight) total += w;
  const scale = total > 0 ? 1 / total : 0;
  const f64 = kernel.f64;
  for (let a = 0; a < dim; a++)
    for (let i = 0; i < n; i++)
      f64[at.wxt + a * n + i] = (rowWeight[i] as number) * (xt[a * n + i] as number);
  kernel.abt(at.wxt, at.xt, at.gram, dim, dim, n);
  const gram = new Float64Array(m * m);
  for (let a = 0; a < dim; a++) {
    for (let b = 0; b <= a; b++) gram[a * m + b] = (f64[at.gram + a * dim + b] as number) * scale;
    gram[dim * m + a] = dotAt(rowWeight, 0, xt, a * n, n) * scale;
  }
  gram[dim * m + dim] = total * scale;
  return gram;
}

export function softmaxPreconditioner(p: SoftmaxProblem, gram: Float64Array, l2: number): Preconditioner {
  const { dim, classes, kernel, at } = p;
  const m = dim + 1;
  const a = new Float64Array(m * m);
  // A tiny ridge keeps the factor defined for constant or duplicated features; it only shapes the path.
  const ridge = 1e-10;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) a[i * m + j] = 0.5 * (gram[i * m + j] as number);
    a[i * m + i] = (a[i * m + i] as number) + (i < dim ? l2 : 0) + ridge;
  }
  // A⁻¹ = L⁻ᵀ·L⁻¹ = U·Uᵀ with U = L⁻ᵀ, once per fit; then each application is one m × m by m × k product.
  const f64 = kernel.f64;
  f64.set(transpose(lowerInverse(choleskyFactor(a, m)), m, m), at.u);
  kernel.abt(at.u, at.u, at.inverse, m, m, m);
  return (grad, out) => {
    // Class-major: each class's column of G·(I − 11ᵀ/k) is one contiguous row of the product's B.
    for (let i = 0; i < m; i++) {
      const row = i * classes;
      let mean = 0;
      for (let c = 0; c < classes; c++) mean += grad[row + c] as number;
      mean /= classes;
      for (let c = 0; c < classes; c++) f64[at.columns + c * m + i] = (grad[row + c] as number) - mean;
    }
    kernel.abt(at.inverse, at.columns, at.solved, m, classes, m);
    for (let i = 0; i < m; i++) {
      const row = i * classes;
      let mean = 0;
      for (let c = 0; c < classes; c++) mean += grad[row + c] as number;
      const shared = i < dim ? mean / classes / l2 : 0;
      for (let c = 0; c < classes; c++) out[row + c] = (f64[at.solved + row + c] as number) + shared;
    }
  };
}
