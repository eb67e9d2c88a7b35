import type { SeedResult } from './model.js';

/**
 * Sums the seeds' confusion matrices. Summing (not averaging) keeps whole
 * counts, so the heat map reads as "how many test crops went where".
 */
export function sumConfusion(seeds: readonly SeedResult[], classCount: number): number[][] {
  const total = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (const seed of seeds) {
    seed.confusion.forEach((line, t) => {
      line.forEach((n, p) => {
        const row = total[t];
        if (row && p < classCount) row[p] = (row[p] ?? 0) + n;
      });
    });
  }
  return total;
}
