function checkLengths(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): void {
  if (yTrue.length !== yPred.length)
    throw new Error(`${yTrue.length} true labels vs ${yPred.length} predictions`);
}

/** Share of positions where prediction equals truth (NaN for no samples). */
export function accuracy(yTrue: ArrayLike<number>, yPred: ArrayLike<number>): number {
  checkLengths(yTrue, yPred);
  if (yTrue.length === 0) return Number.NaN;
  let correct = 0;
  for (let i = 0; i < yTrue.length; i++) if (yTrue[i] === yPred[i]) correct++;
  return correct / yTrue.length;
}

/** counts[t][p] = how many samples of true class t were predicted as p. */
export function confusionMatrix(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: number,
): number[][] {
  checkLengths(yTrue, yPred);
  const counts = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < yTrue.length; i++) {
    const row = counts[yTrue[i] ?? -1];
    const p = yPred[i] ?? -1;
    if (!row || p < 0 || p >= classes)
      throw new Error(`label pair (${yTrue[i]}, ${yPred[i]}) outside 0..${classes - 1}`);
    row[p] = (row[p] ?? 0) + 1;
  }
  return counts;
}

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** True samples of the class. */
  support: number;
}

export interface ClassificationReport {
  perClass: ClassScores[];
  /** Unweighted mean over classes (classes with no support included, as scikit-learn does). */
  macro: Omit<ClassScores, 'support'>;
  accuracy: number;
  confusion: number[][];
}

/**
 * Precision/recall/F1 per class from the confusion matrix. An undefined ratio (nothing predicted as the
 * class, or no samples of it) counts as 0, scikit-learn's `zero_division=0` convention.
 */
export function classificationReport(
  yTrue: ArrayLike<number>,
  yPred: ArrayLike<number>,
  classes: number,
): ClassificationReport {
  const confusion = confusionMatrix(yTrue, yPred, classes);
  const perClass = confusion.map((row, c) => {
    const tp = row[c] ?? 0;
    const support = row.reduce((a, v) => a + v, 0);
    const predicted = confusion.reduce((a, r) => a + (r[c] ?? 0), 0);
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
  const mean = (key: 'precision' | 'recall' | 'f1') => perClass.reduce((a, s) => a + s[key], 0) / classes;
  return {
    perClass,
    macro: { precision: mean('precision'), recall: mean('recall'), f1: mean('f1') },
    accuracy: accuracy(yTrue, yPred),
    confusion,
  };
}
