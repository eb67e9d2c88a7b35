import { mean, sampleStd } from '../../../ml/metrics/summary.js';
import { formatTable } from '../text-table.js';

/** One evaluated sweep point: which backbone, head mode, % labelled and seed gave which accuracy. */
export interface SweepPoint {
  backbone: string;
  mode: string;
  fraction: number;
  seed: number;
  /** In [0, 1], as the evaluate stage writes it. */
  accuracy: number;
}

export interface SweepCell {
  mean: number;
  std: number;
  seeds: number;
}

export interface SweepTable {
  fractions: number[];
  rows: { backbone: string; mode: string; cells: Map<number, SweepCell> }[];
}

/**
 * Table 2 of the paper: one row per backbone x head mode, one column per % labelled, each cell the mean ±
 * sample std (n - 1) of accuracy over seeds. Rows keep the order the points first appear (config order).
 */
export function buildSweepTable(points: readonly SweepPoint[]): SweepTable {
  const fractions = [...new Set(points.map((p) => p.fraction))].sort((a, b) => a - b);
  const groups = new Map<string, { backbone: string; mode: string; acc: Map<number, number[]> }>();
  for (const p of points) {
    const key = `${p.backbone}\u0000${p.mode}`;
    const g = groups.get(key) ?? { backbone: p.backbone, mode: p.mode, acc: new Map<number, number[]>() };
    g.acc.set(p.fraction, [...(g.acc.get(p.fraction) ?? []), p.accuracy]);
    groups.set(key, g);
  }
  const rows = [...groups.values()].map((g) => ({
    backbone: g.backbone,
    mode: g.mode,
    cells: new Map(
      [...g.acc].map(([f, a]) => [f, { mean: mean(a), std: sampleStd(a), seeds: a.length }] as const),
    ),
  }));
  return { fractions, rows };
}

/** Accuracy in percent with one decimal: `83.4 ± 1.2`; a missing point shows as `-`. */
export function formatSweepTable(table: SweepTable): string[] {
  const pct = (x: number) => (x * 100).toFixed(1);
  return formatTable(
    ['backbone', 'head', ...table.fractions.map((f) => `${f}% labels`)],
    table.rows.map((r) => [
      r.backbone,
      r.mode,
      ...table.fractions.map((f) => {
        const c = r.cells.get(f);
        return c ? `${pct(c.mean)} ± ${pct(c.std)}` : '-';
      }),
    ]),
  );
}
