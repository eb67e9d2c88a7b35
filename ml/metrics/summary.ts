export interface MeanStd {
  mean: number;
  /** Sample standard deviation (n − 1); 0 for a single value, NaN for none. */
  std: number;
  n: number;
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

/**
 * Sample standard deviation (n − 1), as seed-to-seed spread is an estimate from few seeds; a single seed has
 * no spread, reported as 0.
 */
export function sampleStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  const squares = values.reduce((sum, v) => sum + (v - m) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/** Mean ± sample std over repeated runs (e.g. seeds). */
export function meanStd(values: readonly number[]): MeanStd {
  const n = values.length;
  return { mean: mean(values), std: n === 0 ? Number.NaN : sampleStd(values), n };
}

/** "0.812 ± 0.014" with `digits` decimals. */
export function formatMeanStd(summary: MeanStd, digits = 3): string {
  return `${summary.mean.toFixed(digits)} ± ${summary.std.toFixed(digits)}`;
}
