export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value, NaN for none. */
  std: number;
  n: number;
}

/** Mean ± sample std over repeated runs (e.g. seeds). */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  if (n === 0) return { mean: Number.NaN, std: Number.NaN, n };
  const mean = values.reduce((a, v) => a + v, 0) / n;
  if (n === 1) return { mean, std: 0, n };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, std: Math.sqrt(variance), n };
}

/** "0.812 ± 0.014" with `digits` decimals. */
export function formatMeanStd(summary: MeanStd, digits = 3): string {
  return `${summary.mean.toFixed(digits)} ± ${summary.std.toFixed(digits)}`;
}
