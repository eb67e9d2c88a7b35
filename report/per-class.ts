import { mean } from '../ml/metrics/summary.js';
import type { PerClassMetrics, SeedResult } from './model.js';

/**
 * Per-class metrics averaged over seeds, in `classNames` order. A class some
 * seed did not report is averaged over the seeds that did; one no seed reported
 * shows as zeros so the table keeps one row per class.
 */
export function averagePerClass(
  seeds: readonly SeedResult[],
  classNames: readonly string[],
): PerClassMetrics[] {
  return classNames.map((cls) => {
    const reported = seeds.flatMap((s) => s.perClass.filter((m) => m.cls === cls));
    if (reported.length === 0) return { cls, precision: 0, recall: 0, f1: 0, support: 0 };
    return {
      cls,
      precision: mean(reported.map((m) => m.precision)),
      recall: mean(reported.map((m) => m.recall)),
      f1: mean(reported.map((m) => m.f1)),
      support: mean(reported.map((m) => m.support)),
    };
  });
}

/** Unweighted mean over classes: the figure that exposes a neglected class. */
export function macroAverage(metrics: readonly PerClassMetrics[]): Omit<PerClassMetrics, 'cls'> {
  return {
    precision: mean(metrics.map((m) => m.precision)),
    recall: mean(metrics.map((m) => m.recall)),
    f1: mean(metrics.map((m) => m.f1)),
    support: metrics.reduce((sum, m) => sum + m.support, 0),
  };
}
