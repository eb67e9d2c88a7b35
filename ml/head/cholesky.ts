import { dotAt, transpose } from './vector-kernels.js';

/**
 * Dense Cholesky factorisation A = L·Lᵀ of a small symmetric positive-definite matrix (row-major, n × n; only
 * the lower triangle is read) and the solve that uses it. The head's preconditioner factors one (dim + 1)²
 * matrix per fit and solves with it twice per L-BFGS iteration, so both are written as unrolled dot products.
 */
export interface CholeskyFactor {
  n: number;
  /** L, row-major. */
  lower: Float64Array;
  /** Lᵀ, row-major: the backward substitution then reads rows too. */
  upper: Float64Array;
}

export function choleskyFactor(a: Float64Array, n: number): CholeskyFactor {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      const s = (a[i * n + j] as number) - dotAt(l, i * n, l, j * n, j);
      if (i === j) {
        if (!(s > 0)) throw new Error(`matrix is not positive definite (pivot ${s} at ${i})`);
        l[i * n + i] = Math.sqrt(s);
      } else {
        l[i * n + j] = s / (l[j * n + j] as number);
      }
    }
  }
  return { n, lower: l, upper: transpose(l, n, n) };
}

/** Solves (L·Lᵀ)·x = b in place for one right-hand side stored contiguously at b[offset … offset + n). */
export function choleskySolveAt(f: CholeskyFactor, b: Float64Array, offset: number): void {
  const { n, lower, upper } = f;
  for (let i = 0; i < n; i++) {
    const s = (b[offset + i] as number) - dotAt(lower, i * n, b, offset, i);
    b[offset + i] = s / (lower[i * n + i] as number);
  }
  for (let i = n - 1; i >= 0; i--) {
    const s = (b[offset + i] as number) - dotAt(upper, i * n + i + 1, b, offset + i + 1, n - i - 1);
    b[offset + i] = s / (upper[i * n + i] as number);
  }
}
