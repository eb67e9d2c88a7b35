/** Per-feature mean and (population) standard deviation of a row-major [n, dim] matrix, in float64. */
export function featureMoments(
  features: Float32Array,
  dim: number,
): { mean: Float32Array; std: Float32Array } {
  const n = features.length / dim;
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < dim; j++) {
      const v = features[i * dim + j] ?? 0;
      sum[j] = (sum[j] ?? 0) + v;
      sumSq[j] = (sumSq[j] ?? 0) + v * v;
    }
  }
  const mean = new Float32Array(dim);
  const std = new Float32Array(dim);
  for (let j = 0; j < dim; j++) {
    const m = (sum[j] ?? 0) / Math.max(1, n);
    const variance = Math.max(0, (sumSq[j] ?? 0) / Math.max(1, n) - m * m);
    mean[j] = m;
    // A constant feature (common after ReLU + pooling) would divide by zero; leave it unscaled.
    std[j] = variance > 1e-12 ? Math.sqrt(variance) : 1;
  }
  return { mean, std };
}

/** Mean 0 / std 1 (identity moments) for heads trained on raw features. */
export function identityMoments(dim: number): { mean: Float32Array; std: Float32Array } {
  return { mean: new Float32Array(dim), std: new Float32Array(dim).fill(1) };
}
