import type { Rng } from '../random.js';
import { stratifiedFolds, usableFolds } from './cross-validation.js';
import { fitPrepared, type PreparedDesign, prepareDesign } from './fit.js';
import type { HeadFitSettings } from './params.js';
import { softmaxScore } from './softmax-objective.js';

/** One λ of the cross-validation: mean held-out cross-entropy and accuracy over the folds. */
export interface L2Score {
  l2: number;
  logLoss: number;
  accuracy: number;
  /** L-BFGS iterations summed over the folds. */
  iterations: number;
}

export interface L2Choice {
  l2: number;
  /** Folds used; 0 when the sample was too small and `l2Fallback` was taken. */
  folds: number;
  scores: L2Score[];
}

interface Design {
  x: Float64Array;
  y: Int32Array;
  dim: number;
  classes: number;
}

function rowsWhere(d: Design, keep: (i: number) => boolean): Design {
  const rows: number[] = [];
  for (let i = 0; i < d.y.length; i++) if (keep(i)) rows.push(i);
  const x = new Float64Array(rows.length * d.dim);
  rows.forEach((row, k) => {
    x.set(d.x.subarray(row * d.dim, (row + 1) * d.dim), k * d.dim);
  });
  return { ...d, x, y: Int32Array.from(rows, (row) => d.y[row] ?? 0) };
}

interface Split {
  /** The fold's training rows, prepared once for the whole λ path. */
  train: PreparedDesign;
  held: Design;
}

function split(design: Design, fold: Int32Array, f: number): Split {
  return {
    train: prepareDesign(rowsWhere(design, (i) => fold[i] !== f)),
    held: rowsWhere(design, (i) => fold[i] === f),
  };
}

/** Mean held-out cross-entropy and accuracy of one λ over the folds, warm-starting each fold. */
function scoreL2(
  l2: number,
  splits: readonly Split[],
  warm: (Float64Array | undefined)[],
  design: Design,
  settings: HeadFitSettings,
): L2Score {
  let logLoss = 0;
  let accuracy = 0;
  let iterations = 0;
  splits.forEach(({ train, held }, f) => {
    const fit = fitPrepared(train, {
      l2,
      tolerance: Math.max(settings.tolerance, settings.cvTolerance),
      maxIterations: settings.maxIterations,
      ...(warm[f] ? { init: warm[f] } : {}),
    });
    warm[f] = fit.theta;
    const score = softmaxScore(design, fit.theta, held.x, held.y);
    logLoss += (score.logLoss * held.y.length) / design.y.length;
    accuracy += (score.accuracy * held.y.length) / design.y.length;
    iterations += fit.iterations;
  });
  return { l2, logLoss, accuracy, iterations };
}

/**
 * Held-out cross-entropy is unimodal in λ in practice: once it has risen twice in a row on the way to weaker
 * penalties, weaker ones only over-fit more, and they are the slowest to fit (ill-conditioned), so the walk
 * stops there. The skipped grid points are simply absent from the recorded scores.
 */
function pastTheMinimum(scores: readonly L2Score[]): boolean {
  const [a, b, c] = scores.slice(-3).map((s) => s.logLoss);
  return a !== undefined && b !== undefined && c !== undefined && b > a && c > b;
}

/**
 * λ by stratified k-fold CV on the labelled sample: the lowest mean held-out cross-entropy wins (smoother than
 * accuracy on a few dozen crops); on a tie the stronger penalty. λ is walked from strong to weak with each
 * fold warm-started from its previous solution.
 */
export function chooseL2(design: Design, settings: HeadFitSettings, rng: Rng): L2Choice {
  const k = usableFolds(design.y, design.classes, settings.cvFolds);
  if (k === 0) return { l2: settings.l2Fallback, folds: 0, scores: [] };
  const fold = stratifiedFolds(design.y, design.classes, k, rng);
  const splits = Array.from({ length: k }, (_, f) => split(design, fold, f));
  const warm: (Float64Array | undefined)[] = new Array(k);
  const grid = [...new Set(settings.l2Grid)].sort((a, b) => b - a);
  const scores: L2Score[] = [];
  for (const l2 of grid) {
    scores.push(scoreL2(l2, splits, warm, design, settings));
    if (pastTheMinimum(scores)) break;
  }
  const best = scores.reduce((a, b) => (b.logLoss < a.logLoss - 1e-12 ? b : a));
  return { l2: best.l2, folds: k, scores: [...scores].sort((a, b) => a.l2 - b.l2) };
}
