import { mean, sampleStd } from '../ml/metrics/summary.js';
import { type Configuration, groupConfigurations } from './configurations.js';
import type { HeadMode, ResultRow } from './model.js';

/** One row of the Summary sheet (Table 2): seed statistics for one configuration. */
export interface SummaryRow {
  backbone: string;
  headMode: HeadMode;
  fractionPct: number;
  /** Fractions in [0, 1]. */
  accuracyMean: number;
  accuracyStd: number;
  iterationsMean: number;
  trainSecondsMean: number;
  seedCount: number;
  configuration: Configuration;
}

export function summariseResults(results: readonly ResultRow[]): SummaryRow[] {
  return groupConfigurations(results).map(summariseConfiguration);
}

function summariseConfiguration(configuration: Configuration): SummaryRow {
  const { backbone, headMode, fractionPct, seeds } = configuration;
  const accuracies = seeds.map((s) => s.accuracy);
  return {
    backbone,
    headMode,
    fractionPct,
    accuracyMean: mean(accuracies),
    accuracyStd: sampleStd(accuracies),
    iterationsMean: mean(seeds.map((s) => s.iterations)),
    trainSecondsMean: mean(seeds.map((s) => s.trainMs)) / 1000,
    seedCount: seeds.length,
    configuration,
  };
}

/**
 * The configuration shown per backbone on the Per class and Confusion sheets:
 * highest mean accuracy; ties go to fewer labels (the cheaper result), then to
 * the supervised head.
 */
export function bestRowPerBackbone(rows: readonly SummaryRow[]): SummaryRow[] {
  const best = new Map<string, SummaryRow>();
  for (const row of rows) {
    const current = best.get(row.backbone);
    if (!current || isBetter(row, current)) best.set(row.backbone, row);
  }
  return [...best.values()];
}

export function isBetter(candidate: SummaryRow, current: SummaryRow): boolean {
  if (candidate.accuracyMean !== current.accuracyMean) return candidate.accuracyMean > current.accuracyMean;
  if (candidate.fractionPct !== current.fractionPct) return candidate.fractionPct < current.fractionPct;
  return candidate.headMode === 'supervised' && current.headMode !== 'supervised';
}
