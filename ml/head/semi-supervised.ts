import { fitSoftmaxRegression, type SoftmaxFit } from './fit.js';
import { headFromFit, resolveSettings, standardisedDesign, trainLinearHead } from './linear-head.js';
import { argmaxAt, softmaxProbabilities } from './softmax-objective.js';
import type { FitSummary, HeadTrainingOptions, HeadTrainingResult, LinearHead } from './types.js';

export interface SemiSupervisedOptions extends HeadTrainingOptions {
  /** Unlabelled pool, row-major [m, dim]. */
  unlabelledFeatures: Float32Array;
}

export interface PseudoLabelRound {
  /** 1.. : the teacher of round r is the converged fit of round r − 1 (round 0: labels only). */
  round: number;
  pseudoLabelled: number;
  /** Pseudo-labels per class. */
  perClass: number[];
  iterations: number;
  converged: boolean;
  gradientNorm: number;
}

export interface SemiSupervisedResult extends FitSummary {
  /** The last round's head: self-training as specified, with no selection on a peek at held-out labels. */
  head: LinearHead;
  rounds: PseudoLabelRound[];
  /** The round-0 (labels only) result, whose λ every round reuses. */
  supervised: HeadTrainingResult;
  trainMs: number;
}

interface PseudoLabels {
  rows: number[];
  labels: number[];
}

function confidentRows(probs: Float64Array, classes: number, threshold: number): PseudoLabels {
  const rows: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < probs.length / classes; i++) {
    const best = argmaxAt(probs, i * classes, classes);
    if ((probs[i * classes + best] ?? 0) >= threshold) {
      rows.push(i);
      labels.push(best);
    }
  }
  return { rows, labels };
}

/** Labelled rows followed by the pseudo-labelled pool rows, with their row weights. */
function augmentedDesign(
  labelled: { x: Float64Array; y: Int32Array },
  pool: Float64Array,
  pseudo: PseudoLabels,
  dim: number,
  pseudoWeight: number,
) {
  const n = labelled.y.length;
  const x = new Float64Array((n + pseudo.rows.length) * dim);
  x.set(labelled.x);
  pseudo.rows.forEach((row, k) => {
    x.set(pool.subarray(row * dim, (row + 1) * dim), (n + k) * dim);
  });
  const y = new Int32Array(n + pseudo.rows.length);
  y.set(labelled.y);
  y.set(pseudo.labels, n);
  const rowWeight = new Float64Array(y.length).fill(1);
  rowWeight.fill(pseudoWeight, n);
  return { x, y, rowWeight };
}

function roundRecord(
  round: number,
  fit: SoftmaxFit,
  pseudo: PseudoLabels,
  classes: number,
): PseudoLabelRound {
  const perClass = new Array<number>(classes).fill(0);
  for (const label of pseudo.labels) perClass[label] = (perClass[label] ?? 0) + 1;
  return {
    round,
    pseudoLabelled: pseudo.rows.length,
    perClass,
    iterations: fit.iterations,
    converged: fit.converged,
    gradientNorm: fit.gradientNorm,
  };
}

/**
 * Self-training (pseudo-labelling): the converged supervised head labels the unlabelled pool wherever it is at
 * least `pseudoThreshold` confident; softmax regression is refitted on labels + pseudo-labels (same λ, same
 * standardisation) to convergence; the refit is the next round's teacher. `teacher`, when given, is that
 * supervised head already fitted on the same sample (`trainLinearHead` of these options): it is used as is.
 */
export function trainSemiSupervisedHead(
  options: SemiSupervisedOptions,
  teacher?: HeadTrainingResult,
): SemiSupervisedResult {
  const started = performance.now();
  const settings = resolveSettings(options);
  const supervised = teacher ?? trainLinearHead(options);
  const { mean, std } = supervised.head;
  const { dim, classes } = options;
  const labelled = { x: standardisedDesign(options.features, mean, std), y: options.labels };
  const pool = standardisedDesign(options.unlabelledFeatures, mean, std);
  const rounds: PseudoLabelRound[] = [];
  let theta: Float64Array = Float64Array.from([...supervised.head.weights, ...supervised.head.bias]);
  let last: FitSummary = supervised;
  let head = supervised.head;
  for (let round = 1; round <= settings.pseudoRounds; round++) {
    const pseudo = confidentRows(
      softmaxProbabilities(options, theta, pool),
      classes,
      settings.pseudoThreshold,
    );
    const fit = fitSoftmaxRegression({
      ...augmentedDesign(labelled, pool, pseudo, dim, settings.pseudoWeight),
      dim,
      classes,
      l2: supervised.l2,
      tolerance: settings.tolerance,
      maxIterations: settings.maxIterations,
      init: theta,
    });
    rounds.push(roundRecord(round, fit, pseudo, classes));
    theta = fit.theta;
    head = headFromFit(fit, options, { mean, std });
    last = { ...fit, l2: supervised.l2 };
  }
  return {
    head,
    rounds,
    supervised,
    l2: supervised.l2,
    iterations: last.iterations,
    converged: last.converged,
    gradientNorm: last.gradientNorm,
    loss: last.loss,
    trainMs: performance.now() - started,
  };
}
