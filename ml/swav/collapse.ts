import type { EpochStats } from './epoch-stats.js';

export interface CollapseOptions {
  /** Consecutive most-recent epochs that must all look collapsed (SwavParams.collapsePatience). */
  patience: number;
}

/** Thresholds for "the assignments carry no information"; a healthy run is far from each. */
const COLLAPSE_SIGNS = {
  /** Mean prediction entropy ≥ this × ln K: every crop gets a (nearly) flat distribution over prototypes. */
  uniformEntropy: 0.97,
  /** One prototype is the most likely one for more than this share of the crops. */
  oneHotShare: 0.9,
  /** Feature spread below this: the embeddings are (nearly) the same for every crop. */
  constantSpread: 0.05,
  /** Relative band around ln K in which the loss counts as pinned there (±2 %). */
  pinnedLossBand: 0.02,
} as const;

/**
 * The settings the gate names when it fires, as run-config keys under `swav.`; the pretrain stage can
 * retry once with them changed (`swav.collapseRetryFixes`).
 */
export const COLLAPSE_FIX_KEYS = [
  'epsilon',
  'freezePrototypesSteps',
  'globalScale',
  'colorJitter',
  'queueLength',
] as const;
export type CollapseFixKey = (typeof COLLAPSE_FIX_KEYS)[number];

const COLLAPSE_FIXES =
  'swav.epsilon (a smaller Sinkhorn epsilon, e.g. 0.03 instead of 0.05), swav.freezePrototypesSteps ' +
  '(freeze the prototypes for longer), swav.globalScale and swav.colorJitter (softer augmentation: a larger ' +
  'minimum crop scale, weaker colour jitter), or swav.queueLength (a feature queue for small batches)';

export interface CollapseVerdict {
  collapsed: boolean;
  /** ln K, the loss of uniform predictions against uniform codes. */
  uniformLoss: number;
  /** How many of the latest epochs look collapsed, in a row. */
  epochsCollapsed: number;
  /** The last epoch that did not look collapsed (0 = none): where a retry restarts from. */
  lastHealthyEpoch: number;
  /** Why the latest epoch looks collapsed (empty when it does not). */
  signs: string[];
  message: string;
}

/**
 * Why an epoch looks collapsed, or [] when it does not. Constant features are collapse whatever the loss;
 * otherwise the loss must sit at ln K (within `pinnedLossBand`, on either side) AND the predictions must be flat
 * or one-hot. A loss above ln K that comes with confident predictions is an early, still-learning run.
 */
export function collapseSigns(e: EpochStats, prototypes: number): string[] {
  const lnK = Math.log(prototypes);
  const signs: string[] = [];
  if (e.featureSpread < COLLAPSE_SIGNS.constantSpread)
    signs.push(`features constant (spread ${e.featureSpread.toFixed(3)})`);
  if (Math.abs(e.loss - lnK) > COLLAPSE_SIGNS.pinnedLossBand * lnK) return signs;
  const flat = e.predictionEntropy >= COLLAPSE_SIGNS.uniformEntropy;
  const oneHot = e.topPrototypeShare > COLLAPSE_SIGNS.oneHotShare;
  if (!flat && !oneHot) return signs;
  signs.push(`loss ${e.loss.toFixed(3)} pinned at ln K = ${lnK.toFixed(3)}`);
  if (flat) signs.push(`predictions uniform (entropy ${e.predictionEntropy.toFixed(3)}·ln K)`);
  if (oneHot) signs.push(`one prototype takes ${(100 * e.topPrototypeShare).toFixed(0)} % of the crops`);
  return signs;
}

/**
 * SwAV's failure mode: the assignments stop carrying information. Flags a run whose latest `patience`
 * epochs all show `collapseSigns`; the message names the settings to change.
 */
export function detectCollapse(
  history: readonly EpochStats[],
  prototypes: number,
  { patience }: CollapseOptions,
): CollapseVerdict {
  const uniformLoss = Math.log(prototypes);
  let streak = 0;
  for (let i = history.length - 1; i >= 0; i--) {
    const e = history[i];
    if (!e || collapseSigns(e, prototypes).length === 0) break;
    streak++;
  }
  const latest = history.at(-1);
  const signs = latest ? collapseSigns(latest, prototypes) : [];
  const lastHealthyEpoch = history[history.length - 1 - streak]?.epoch ?? 0;
  const collapsed = streak >= patience;
  const message = collapsed
    ? `SwAV collapsed: the assignments carried no information for ${streak} epoch${streak === 1 ? '' : 's'} ` +
      `(epoch ${latest?.epoch}: ${signs.join(', ')}). Change ${COLLAPSE_FIXES}`
    : `no collapse: ${streak} of the latest epochs look collapsed (patience ${patience})`;
  return { collapsed, uniformLoss, epochsCollapsed: streak, lastHealthyEpoch, signs, message };
}

/** A value the collapse retry changed: a number or a [min, max] range. */
export type FixValue = number | [number, number];

/** One retry after the gate fired: where it restarted from, what changed, what was thrown away. */
export interface CollapseRecovery {
  detectedAtEpoch: number;
  detectedAtStep: number;
  /** Completed epochs kept (0 = restarted from the initial weights). */
  restartedFromEpoch: number;
  restartedFromStep: number;
  /** The gate's message when it fired. */
  message: string;
  changes: Array<{ key: CollapseFixKey; from: FixValue; to: FixValue }>;
  /** The collapsed epochs' statistics, for the training history. */
  abandoned: EpochStats[];
}
