import { type ExtraTrainingRows, trainLinearHead } from './linear-head.js';
import { predictHead } from './predict.js';
import { selectRows } from './split.js';
import type { HeadTrainingOptions, HeadTrainingResult, LinearHead } from './types.js';

export interface SemiSupervisedOptions extends HeadTrainingOptions {
  /** Unlabelled pool, row-major [m, dim]. */
  unlabelledFeatures: Float32Array;
  /** Minimum max-probability for a pseudo-label (default 0.9). */
  threshold?: number;
  /** Pseudo-labelling rounds after the supervised one (default 3). */
  rounds?: number;
}

export interface PseudoLabelRound {
  /** 0 is the supervised head; 1.. add pseudo-labels from the previous round's head. */
  round: number;
  pseudoLabelled: number;
  /** Pseudo-labels per class. */
  perClass: number[];
  /** Accuracy on the (truly labelled) validation split at the kept epoch. */
  valAccuracy: number;
  valLoss: number;
  epochsRun: number;
}

export interface SemiSupervisedResult {
  /** The round with the best validation accuracy (later rounds win ties). */
  head: LinearHead;
  chosenRound: number;
  rounds: PseudoLabelRound[];
  /** The round-0 (labels only) training result, for comparison. */
  supervised: HeadTrainingResult;
  trainMs: number;
}

function pseudoLabels(head: LinearHead, pool: Float32Array, threshold: number): ExtraTrainingRows {
  const { probs, labels } = predictHead(head, pool);
  const keep: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const confidence = probs[i * head.classes + (labels[i] ?? 0)] ?? 0;
    if (confidence >= threshold) keep.push(i);
  }
  return {
    features: selectRows(pool, head.dim, keep),
    labels: Int32Array.from(keep, (i) => labels[i] ?? 0),
  };
}

function keptRecord(result: HeadTrainingResult) {
  return result.history[result.bestEpoch - 1] ?? result.history[result.history.length - 1];
}

/**
 * Self-training (pseudo-labelling): fit on the labelled sample, label the unlabelled pool wherever the head
 * is at least `threshold` confident, refit on labels + pseudo-labels, repeat. The validation split is
 * carved from the true labels once (same seed every round) and pseudo-labels never enter it, so rounds
 * are compared on the same footing and the best one is kept.
 */
export function trainSemiSupervisedHead(options: SemiSupervisedOptions): SemiSupervisedResult {
  const started = performance.now();
  const threshold = options.threshold ?? 0.9;
  const roundsWanted = options.rounds ?? 3;
  const supervised = trainLinearHead(options);
  const rounds: PseudoLabelRound[] = [];
  const record = (round: number, result: HeadTrainingResult, extra?: ExtraTrainingRows) => {
    const perClass = new Array<number>(options.classes).fill(0);
    extra?.labels.forEach((label) => {
      perClass[label] = (perClass[label] ?? 0) + 1;
    });
    const kept = keptRecord(result);
    rounds.push({
      round,
      pseudoLabelled: extra?.labels.length ?? 0,
      perClass,
      valAccuracy: kept?.valAccuracy ?? Number.NaN,
      valLoss: kept?.valLoss ?? Number.NaN,
      epochsRun: result.epochsRun,
    });
  };
  record(0, supervised);
  let best = { head: supervised.head, round: 0, accuracy: rounds[0]?.valAccuracy ?? Number.NaN };
  let current = supervised.head;
  for (let round = 1; round <= roundsWanted; round++) {
    const extra = pseudoLabels(current, options.unlabelledFeatures, threshold);
    const result = trainLinearHead(options, extra);
    record(round, result, extra);
    current = result.head;
    const accuracy = rounds[round]?.valAccuracy ?? Number.NaN;
    // NaN (no validation split) compares false, so without validation the last round is kept.
    if (!(accuracy < best.accuracy)) best = { head: result.head, round, accuracy };
  }
  return {
    head: best.head,
    chosenRound: best.round,
    rounds,
    supervised,
    trainMs: performance.now() - started,
  };
}
