/**
 * k-center greedy (Sener & Savarese's core-set selection): repeatedly take the candidate farthest from every
 * centre chosen so far, starting from `centres` (the crops already labelled), so the picks cover the feature
 * space instead of piling onto one product. Rows of `features` ([rows, dim], row-major) are L2-normalised
 * first, making the squared distance 2 − 2·cosine. Ties go to the lower candidate index (deterministic).
 * Returns at most `n` candidate rows in pick order. O(n · candidates · dim) after the first pass over centres.
 */
export function kCenterGreedy(
  features: Float32Array,
  dim: number,
  candidates: readonly number[],
  centres: readonly number[],
  n: number,
): number[] {
  const norms = rowNorms(features, dim);
  const nearest = new Float64Array(candidates.length).fill(Number.POSITIVE_INFINITY);
  const update = (centre: number) => {
    for (let j = 0; j < candidates.length; j++) {
      const d = cosineDistance(features, dim, norms, candidates[j]!, centre);
      if (d < nearest[j]!) nearest[j] = d;
    }
  };
  for (const c of centres) update(c);
  const taken = new Uint8Array(candidates.length);
  const picks: number[] = [];
  while (picks.length < Math.min(n, candidates.length)) {
    let best = -1;
    for (let j = 0; j < candidates.length; j++)
      if (!taken[j] && (best < 0 || nearest[j]! > nearest[best]!)) best = j;
    taken[best] = 1;
    picks.push(candidates[best]!);
    update(candidates[best]!);
  }
  return picks;
}

function rowNorms(features: Float32Array, dim: number): Float64Array {
  const rows = features.length / dim;
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let k = 0; k < dim; k++) s += features[r * dim + k]! ** 2;
    norms[r] = Math.sqrt(s) || 1;
  }
  return norms;
}

function cosineDistance(f: Float32Array, dim: number, norms: Float64Array, a: number, b: number): number {
  let dot = 0;
  const oa = a * dim;
  const ob = b * dim;
  for (let k = 0; k < dim; k++) dot += f[oa + k]! * f[ob + k]!;
  return 2 - (2 * dot) / (norms[a]! * norms[b]!);
}
