import { dotAt } from './vector-kernels.js';

/**
 * Dense Cholesky factorisation A = L·Lᵀ of a small symmetric positive-definite matrix (row-major, n × n; only
 * the lower triangle is read) and the triangular inverse the head's preconditioner builds A⁻¹ = L⁻ᵀ·L⁻¹ from.
 */
export interface CholeskyFactor {
  n: number;
  /** L, row-major. */
  lower: Float64Array;
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
  return { n, lower: l };
}

/** L⁻¹ of a lower-triangular L (row-major), itself lower-triangular: forward substitution column by column. */
export function lowerInverse(f: CholeskyFactor): Float64Array {
  const { n, lower } = f;
  const inv = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    inv[j * n + j] = 1 / (lower[j * n + j] as number);
    for (let i = j + 1; i < n; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += (lower[i * n + k] as number) * (inv[k * n + j] as number);
      inv[i * n + j] = -s / (lower[i * n + i] as number);
    }
  }
  return inv;
}
