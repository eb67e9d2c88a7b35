import { mean, sampleStd } from '../../../ml/metrics/summary.js';
import { groupConfigurations } from '../../../report/configurations.js';
import type { HeadMode } from '../../../report/model.js';
import { formatTable } from '../text-table.js';

/** One evaluated sweep point: which backbone, head mode, % labelled and seed gave which accuracy. */
export interface SweepPoint {
  backbone: string;
  mode: HeadMode;
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
 * sample std (n - 1) of accuracy over seeds. Grouped and ordered exactly as the report's Summary sheet
 * (report/configurations.ts), so the terminal and the workbook cannot disagree.
 */
export function buildSweepTable(points: readonly SweepPoint[]): SweepTable {
  const configurations = groupConfigurations(
    points.map((p) => ({
      backbone: p.backbone,
      headMode: p.mode,
      fractionPct: p.fraction,
      seeds: [{ accuracy: p.accuracy }],
    })),
  );
  const fractions = [...new Set(configurations.map((c) => c.fractionPct))].sort((a, b) => a - b);
  const rows = new Map<string, SweepTable['rows'][number]>();
  for (const c of configurations) {
    const key = `${c.backbone}\u0000${c.headMode}`;
    const row = rows.get(key) ?? { backbone: c.backbone, mode: c.headMode, cells: new Map() };
    const accuracies = c.seeds.map((s) => s.accuracy);
    row.cells.set(c.fractionPct, {
      mean: mean(accuracies),
      std: sampleStd(accuracies),
      seeds: accuracies.length,
    });
    rows.set(key, row);
  }
  return { fractions, rows: [...rows.values()] };
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
