import { createRng, permutation } from '../random.js';
import { kCenterGreedy } from './k-center.js';
import { type UncertaintyMeasure, uncertaintyScores } from './uncertainty.js';

export const STRATEGIES = ['margin', 'entropy', 'diverse', 'random'] as const;
export type SelectionStrategy = (typeof STRATEGIES)[number];

export interface SelectionInput {
  strategy: SelectionStrategy;
  /** How many crops to suggest. */
  n: number;
  /** Row-major features [rows, dim] of every crop. */
  features: Float32Array;
  dim: number;
  /** Rows that may be suggested (unlabelled, outside the held-out region). */
  candidates: readonly number[];
  /** Rows already labelled (k-center starts from them). */
  labelled: readonly number[];
  /** Softmax probabilities [candidates.length, classes] of the head, in candidate order (margin/entropy). */
  probs?: ArrayLike<number>;
  classes?: number;
  /** Uncertainty strategies keep the `shortlist × n` most uncertain candidates, then pick diverse ones. */
  shortlist: number;
  seed: number;
}

export interface Selection {
  /** Chosen rows, most uncertain first (uncertainty strategies) or in pick order. */
  rows: number[];
  /** Uncertainty of each chosen row (null for diverse/random). */
  scores: (number | null)[];
}

/**
 * Picks crops to label. `random`: a seeded draw (the baseline). `diverse`: k-center greedy over all
 * candidates. `margin` / `entropy`: the head's most uncertain candidates, thinned by k-center greedy to `n`
 * so twenty copies of one confusing product count once.
 */
export function selectForLabelling(input: SelectionInput): Selection {
  const { strategy, n, candidates } = input;
  if (strategy === 'random') {
    const order = permutation(candidates.length, createRng(input.seed)).slice(0, n);
    return { rows: order.map((i) => candidates[i]!), scores: order.map(() => null) };
  }
  if (strategy === 'diverse') {
    const rows = kCenterGreedy(input.features, input.dim, candidates, input.labelled, n);
    return { rows, scores: rows.map(() => null) };
  }
  if (!input.probs || !input.classes) throw new Error(`strategy ${strategy} needs the head's probabilities`);
  const scores = uncertaintyScores(input.probs, input.classes, strategy satisfies UncertaintyMeasure);
  const byScore = candidates.map((_, j) => j).sort((a, b) => scores[b]! - scores[a]! || a - b);
  const shortlist = byScore.slice(0, Math.max(n, Math.ceil(input.shortlist * n)));
  const scoreOf = new Map(shortlist.map((j) => [candidates[j]!, scores[j]!]));
  const picked = kCenterGreedy(
    input.features,
    input.dim,
    shortlist.map((j) => candidates[j]!),
    input.labelled,
    n,
  ).sort((a, b) => scoreOf.get(b)! - scoreOf.get(a)! || a - b);
  return { rows: picked, scores: picked.map((r) => scoreOf.get(r)!) };
}
