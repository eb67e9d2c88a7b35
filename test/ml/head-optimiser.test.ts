import assert from 'node:assert/strict';
import test from 'node:test';
import { choleskyFactor, lowerInverse } from '../../ml/head/cholesky.js';
import { minimiseLbfgs } from '../../ml/head/lbfgs.js';
import { softmaxPreconditioner, weightedGram } from '../../ml/head/preconditioner.js';
import { softmaxLossAndGradient, softmaxProblem } from '../../ml/head/softmax-objective.js';
import { transpose } from '../../ml/head/vector-kernels.js';
import { createAbtKernel } from '../../ml/head/wasm-abt.js';
import { createRng } from '../../ml/random.js';

/**
 * Correlated features, as a backbone's are: every feature mixes a few shared factors, so the Gram matrix is
 * badly conditioned, the regime where plain L-BFGS needs 100+ iterations.
 */
function correlatedProblem(n: number, dim: number, classes: number) {
  const rng = createRng(21);
  const factors = 4;
  const loading = Float64Array.from({ length: factors * dim }, () => rng.normal());
  const x = new Float64Array(n * dim);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % classes;
    y[i] = label;
    const f = Array.from({ length: factors }, (_, k) => rng.normal() + (k === label % factors ? 1.5 : 0));
    for (let j = 0; j < dim; j++) {
      let v = 0.05 * rng.normal();
      for (let k = 0; k < factors; k++) v += (f[k] as number) * (loading[k * dim + j] as number);
      x[i * dim + j] = v;
    }
  }
  return softmaxProblem({ x, y, rowWeight: new Float64Array(n).fill(1), dim, classes });
}

test('the Cholesky factor and its triangular inverse invert a symmetric positive-definite matrix', () => {
  const rng = createRng(3);
  const n = 9;
  const m = Float64Array.from({ length: n * n }, () => rng.normal());
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.5 : 0;
      for (let k = 0; k < n; k++) s += (m[i * n + k] as number) * (m[j * n + k] as number);
      a[i * n + j] = s;
    }
  const factor = choleskyFactor(a, n);
  const inv = lowerInverse(factor);
  // L·L⁻¹ = I
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += (factor.lower[i * n + k] as number) * (inv[k * n + j] as number);
      assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-9, `(L·L⁻¹)[${i},${j}] = ${s}`);
    }
  assert.throws(() => choleskyFactor(Float64Array.from([1, 2, 2, 1]), 2), /not positive definite/);
});

test('the preconditioner is the inverse of Böhning’s curvature bound (applied to a bound-times-vector)', () => {
  const dim = 6;
  const classes = 3;
  const l2 = 0.1;
  const p = correlatedProblem(50, dim, classes);
  const gram = weightedGram(p);
  const m = dim + 1;
  const full = (i: number, j: number) => (i >= j ? gram[i * m + j] : gram[j * m + i]) as number;
  // v: a direction with zero bias sum (the null direction of the unpenalised, shift-invariant bias is excluded).
  const rng = createRng(5);
  const v = Float64Array.from({ length: m * classes }, () => rng.normal());
  const bias = v.subarray(dim * classes);
  const biasMean = bias.reduce((a, b) => a + b, 0) / classes;
  for (let c = 0; c < classes; c++) bias[c] = (bias[c] as number) - biasMean;
  // B·v = ½·Σ̃·V·(I − 11ᵀ/k) + Λ·V
  const bv = new Float64Array(v.length);
  for (let i = 0; i < m; i++) {
    for (let c = 0; c < classes; c++) {
      let s = 0;
      for (let j = 0; j < m; j++) {
        let centred = v[j * classes + c] as number;
        for (let d = 0; d < classes; d++) centred -= (v[j * classes + d] as number) / classes;
        s += 0.5 * full(i, j) * centred;
      }
      bv[i * classes + c] = s + (i < dim ? l2 * (v[i * classes + c] as number) : 0);
    }
  }
  const back = new Float64Array(v.length);
  softmaxPreconditioner(p, gram, l2)(bv, back);
  for (let k = 0; k < v.length; k++)
    assert.ok(Math.abs((back[k] as number) - (v[k] as number)) < 1e-6, `component ${k}`);
});

test('preconditioned L-BFGS reaches the same optimum as plain L-BFGS in far fewer iterations', () => {
  const dim = 48;
  const classes = 5;
  const l2 = 1e-3;
  const p = correlatedProblem(600, dim, classes);
  const f = (theta: Float64Array, grad: Float64Array) => softmaxLossAndGradient(p, l2, theta, grad);
  const start = new Float64Array((dim + 1) * classes);
  const options = { tolerance: 1e-6, maxIterations: 5000 };
  const plain = minimiseLbfgs(f, start, options);
  const precondition = softmaxPreconditioner(p, weightedGram(p), l2);
  const fast = minimiseLbfgs(f, start, { ...options, precondition });
  console.log(`plain L-BFGS ${plain.iterations} iterations, preconditioned ${fast.iterations}`);
  assert.ok(plain.converged && fast.converged);
  assert.ok(Math.abs(plain.value - fast.value) < 1e-9, `${plain.value} vs ${fast.value}`);
  assert.ok(fast.iterations * 2 <= plain.iterations, `${fast.iterations} vs ${plain.iterations}`);
});

test('the transposed design is the same matrix read column-major', () => {
  const m = Float64Array.from([1, 2, 3, 4, 5, 6]);
  assert.deepEqual([...transpose(m, 2, 3)], [1, 4, 2, 5, 3, 6]);
});

test('the WebAssembly kernel computes A·Bᵀ in float64 for any length (SIMD body and scalar tail)', () => {
  const rng = createRng(8);
  for (const [rows, cols, len] of [
    [1, 1, 1],
    [3, 2, 7],
    [4, 5, 8],
    [6, 5, 131],
  ] as const) {
    const kernel = createAbtKernel(rows * len + cols * len + rows * cols);
    const f64 = kernel.f64;
    for (let k = 0; k < (rows + cols) * len; k++) f64[k] = rng.normal();
    const out = (rows + cols) * len;
    kernel.abt(0, rows * len, out, rows, cols, len);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let t = 0; t < len; t++)
          s += (f64[r * len + t] as number) * (f64[rows * len + c * len + t] as number);
        assert.ok(
          Math.abs(s - (f64[out + r * cols + c] as number)) < 1e-12,
          `${rows}×${cols}×${len} [${r},${c}]`,
        );
      }
  }
});
