/**
 * What the collapse gate looks at besides the loss. A collapsed SwAV run is one whose assignments carry
 * no information: every crop gets the same embedding (feature spread ~0), or the same prototype
 * (one-hot usage), or a flat prediction over all prototypes (entropy ~ln K). A high early loss that is
 * still falling shows none of these, so the gate can tell the two apart.
 */
export interface EpochStats {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean swapped-prediction loss of the epoch's steps. */
  loss: number;
  /** Mean entropy of softmax(zCᵀ/τ) over the global crops, divided by ln K: 1 = uniform predictions. */
  predictionEntropy: number;
  /**
   * √d × the mean per-dimension standard deviation of the global-crop embeddings within a batch: about 1
   * for unit vectors spread over the sphere, 0 when every crop gets the same embedding.
   */
  featureSpread: number;
  /** Share of the prototypes that were the most likely one for at least one global crop this epoch. */
  prototypeUsage: number;
  /** Largest share of the global crops whose most likely prototype is the same one (1 = one-hot). */
  topPrototypeShare: number;
  /** k-NN accuracy of the backbone's features on the fixed labelled monitor subset, when monitored. */
  knnAccuracy?: number;
}

/** Sums over one epoch's steps (plain data: it travels in checkpoints). */
export interface EpochStatsSums {
  steps: number;
  lossSum: number;
  entropySum: number;
  spreadSum: number;
  /** Global crops whose most likely prototype was k, per k. */
  argmaxCounts: number[];
}

/** What one step contributes: computed from values the step already copied off the device. */
export interface StepStats {
  entropy: number;
  spread: number;
  argmaxCounts: number[];
}

export function emptySums(prototypes: number): EpochStatsSums {
  return { steps: 0, lossSum: 0, entropySum: 0, spreadSum: 0, argmaxCounts: new Array(prototypes).fill(0) };
}

/**
 * Prediction entropy (÷ ln K) and most likely prototype per row of `scores` ([rows, K] row-major cosine
 * similarities), with the loss's softmax temperature.
 */
function predictionStats(scores: Float32Array, k: number, temperature: number, counts: number[]): number {
  const rows = scores.length / k;
  let entropySum = 0;
  for (let r = 0; r < rows; r++) {
    const row = scores.subarray(r * k, (r + 1) * k);
    let max = -Infinity;
    let arg = 0;
    row.forEach((s, j) => {
      if (s > max) {
        max = s;
        arg = j;
      }
    });
    let z = 0;
    let weighted = 0;
    for (const s of row) {
      const a = (s - max) / temperature;
      const e = Math.exp(a);
      z += e;
      weighted += e * a;
    }
    // H = log Z − E[a] with a = (s − max)/τ and Z = Σ exp(a).
    entropySum += Math.log(z) - weighted / z;
    counts[arg] = (counts[arg] ?? 0) + 1;
  }
  return rows > 0 ? entropySum / rows / Math.log(k) : Number.NaN;
}

/** √d × mean over dimensions of the standard deviation over rows ([rows, dim] row-major). */
function spreadOf(embeddings: Float32Array, dim: number): number {
  const rows = embeddings.length / dim;
  if (rows < 2) return Number.NaN;
  let stdSum = 0;
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (let r = 0; r < rows; r++) mean += embeddings[r * dim + j] ?? 0;
    mean /= rows;
    let variance = 0;
    for (let r = 0; r < rows; r++) variance += ((embeddings[r * dim + j] ?? 0) - mean) ** 2;
    stdSum += Math.sqrt(variance / (rows - 1));
  }
  return (stdSum / dim) * Math.sqrt(dim);
}

/**
 * A step's statistics from its global crops: `scores[i]` [B, K] and `embeddings[i]` [B, dim] per crop.
 * Spread is taken per crop (within one batch), so it measures how different the images are, not the views.
 */
export function stepStats(
  scores: readonly Float32Array[],
  embeddings: readonly Float32Array[],
  k: number,
  dim: number,
  temperature: number,
): StepStats {
  const argmaxCounts = new Array<number>(k).fill(0);
  const entropies = scores.map((s) => predictionStats(s, k, temperature, argmaxCounts));
  const spreads = embeddings.map((e) => spreadOf(e, dim));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  return { entropy: mean(entropies), spread: mean(spreads), argmaxCounts };
}

export function addStep(sums: EpochStatsSums, loss: number, stats: StepStats): void {
  sums.steps++;
  sums.lossSum += loss;
  sums.entropySum += stats.entropy;
  sums.spreadSum += stats.spread;
  stats.argmaxCounts.forEach((c, j) => {
    sums.argmaxCounts[j] = (sums.argmaxCounts[j] ?? 0) + c;
  });
}

export function epochStatsOf(epoch: number, sums: EpochStatsSums): EpochStats {
  const n = Math.max(1, sums.steps);
  const crops = sums.argmaxCounts.reduce((a, b) => a + b, 0);
  const used = sums.argmaxCounts.filter((c) => c > 0).length;
  return {
    epoch,
    loss: sums.steps > 0 ? sums.lossSum / n : Number.NaN,
    predictionEntropy: sums.entropySum / n,
    featureSpread: sums.spreadSum / n,
    prototypeUsage: used / Math.max(1, sums.argmaxCounts.length),
    topPrototypeShare: crops > 0 ? Math.max(...sums.argmaxCounts) / crops : Number.NaN,
  };
}
