/** `10` → "10", `12.5` → "12.5": label fractions read naturally without trailing zeros. */
export function formatFraction(fractionPct: number): string {
  return String(Number(fractionPct.toFixed(1)));
}

/** Accuracy fraction → "71.2 %". */
export function formatAccuracy(accuracy: number): string {
  return `${(accuracy * 100).toFixed(1)} %`;
}

/** Accuracy difference in percentage points, signed: "+8.2 pts" / "-1.3 pts". */
export function formatPointsDelta(delta: number): string {
  const points = (Math.abs(delta) * 100).toFixed(1);
  return `${delta < 0 ? '-' : '+'}${points} pts`;
}

/** "71.2 % ± 1.3" — the std in percentage points, as papers print it. */
export function formatMeanStd(mean: number, std: number): string {
  return `${formatAccuracy(mean)} ± ${(std * 100).toFixed(1)}`;
}

export function describeConfiguration(row: { backbone: string; headMode: string }): string {
  return `${row.backbone} + ${row.headMode} head`;
}
