import type { HeadMode, ResultRow, SeedResult } from './model.js';

/** One cell of the paper's Table 2: a backbone × head mode × label fraction, with all its seeds. */
export interface Configuration<S = SeedResult> {
  backbone: string;
  headMode: HeadMode;
  fractionPct: number;
  seeds: S[];
}

const HEAD_MODE_ORDER: Record<HeadMode, number> = { supervised: 0, 'semi-supervised': 1 };

/**
 * Groups result rows by configuration, merging seeds when the same configuration
 * was reported twice (e.g. a sweep re-run for extra seeds), and orders them as
 * the paper's table reads: backbone in first-seen order, then head mode, then fraction.
 */
export function groupConfigurations<S = SeedResult>(
  results: readonly (Omit<ResultRow, 'seeds'> & { seeds: readonly S[] })[],
): Configuration<S>[] {
  const byKey = new Map<string, Configuration<S>>();
  const backboneOrder = new Map<string, number>();
  for (const row of results) {
    if (!backboneOrder.has(row.backbone)) backboneOrder.set(row.backbone, backboneOrder.size);
    const key = JSON.stringify([row.backbone, row.headMode, row.fractionPct]);
    const existing = byKey.get(key);
    if (existing) existing.seeds.push(...row.seeds);
    else byKey.set(key, { ...row, seeds: [...row.seeds] });
  }
  return [...byKey.values()].sort(
    (a, b) =>
      (backboneOrder.get(a.backbone) ?? 0) - (backboneOrder.get(b.backbone) ?? 0) ||
      HEAD_MODE_ORDER[a.headMode] - HEAD_MODE_ORDER[b.headMode] ||
      a.fractionPct - b.fractionPct,
  );
}
