/** How a head's softmax output ranks a crop for labelling: higher is more worth an annotator's minute. */
export type UncertaintyMeasure = 'margin' | 'entropy';

/**
 * Per-row uncertainty of row-major softmax probabilities [n, classes]. `margin`: 1 − (p₁ − p₂), the gap between
 * the two most likely classes (a crop the head cannot decide between two look-alikes); `entropy`: −Σ p log p,
 * in nats (spread over many classes). Both are 0 for a one-hot row.
 */
export function uncertaintyScores(
  probs: ArrayLike<number>,
  classes: number,
  measure: UncertaintyMeasure,
): Float64Array {
  const n = probs.length / classes;
  const scores = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * classes;
    if (measure === 'entropy') {
      let h = 0;
      for (let c = 0; c < classes; c++) {
        const p = probs[o + c]!;
        if (p > 0) h -= p * Math.log(p);
      }
      scores[i] = h;
    } else {
      let first = 0;
      let second = 0;
      for (let c = 0; c < classes; c++) {
        const p = probs[o + c]!;
        if (p > first) {
          second = first;
          first = p;
        } else if (p > second) second = p;
      }
      scores[i] = 1 - (first - second);
    }
  }
  return scores;
}
