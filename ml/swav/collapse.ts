export interface CollapseOptions {
  /** Consecutive most-recent epochs that must all sit near ln K (default 3). */
  patience?: number;
  /** Relative band below ln K still counted as "near" (default 0.02 = within 2 %). */
  tolerance?: number;
}

export interface CollapseVerdict {
  collapsed: boolean;
  /** ln K, the loss of uniform predictions against uniform codes. */
  uniformLoss: number;
  /** How many of the latest epochs sit at or above (1 − tolerance)·ln K. */
  epochsNearUniform: number;
  message: string;
}

export const COLLAPSE_FIXES =
  'try a smaller Sinkhorn epsilon (e.g. 0.03 instead of 0.05), freeze the prototypes for longer, ' +
  'softer augmentation (larger minimum crop scale, weaker colour jitter), or a feature queue for small batches';

/**
 * SwAV's failure mode: every image maps to the same place, codes go uniform and the loss sticks at ln K
 * (or above). Flags a run whose per-epoch loss has stayed within `tolerance` of ln K, or above it, for
 * `patience` epochs in a row.
 */
export function detectCollapse(
  lossHistoryPerEpoch: readonly number[],
  prototypes: number,
  options: CollapseOptions = {},
): CollapseVerdict {
  const patience = options.patience ?? 3;
  const tolerance = options.tolerance ?? 0.02;
  const uniformLoss = Math.log(prototypes);
  const floor = uniformLoss * (1 - tolerance);
  let near = 0;
  for (let i = lossHistoryPerEpoch.length - 1; i >= 0 && (lossHistoryPerEpoch[i] ?? 0) >= floor; i--) near++;
  const collapsed = near >= patience;
  const message = collapsed
    ? `SwAV loss stayed near ln K = ${uniformLoss.toFixed(3)} for ${near} epochs (collapse): ${COLLAPSE_FIXES}`
    : `no collapse: ${near} of the latest epochs near ln K = ${uniformLoss.toFixed(3)} (patience ${patience})`;
  return { collapsed, uniformLoss, epochsNearUniform: near, message };
}
