import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type CropRowSource, gatherRows } from '../../../data/crop/pool-rows.js';
import { extractFeatures } from '../../../ml/models/index.js';
import { createRng, deriveSeed, permutation } from '../../../ml/random.js';
import { crossValidatedKnn, type ImageBatch } from '../../../ml/swav/index.js';

/** deriveSeed stream of the monitor's subset draw (independent of SwAV's own draws from the same seed). */
const MONITOR_STREAM = 0x6b6e6e;

/** The fixed labelled subset the per-epoch k-NN monitor scores (train split only: never the test crops). */
export interface MonitorSet {
  images: ImageBatch;
  labels: Int32Array;
  classes: number;
  k: number;
}

/** A labelled train crop: its row in the pool and its class. */
export interface MonitorCandidate {
  row: number;
  label: number;
}

/**
 * A seeded subset of at most `size` of the labelled train crops (`candidates`, in pool row order), read from
 * `rows`; null when there are too few (fewer than two classes, or fewer than 5 × k crops) for k-NN to mean
 * anything.
 */
export async function chooseMonitorSet(
  candidates: readonly MonitorCandidate[],
  rows: CropRowSource,
  options: { size: number; k: number; seed: number },
): Promise<MonitorSet | null> {
  if (options.size === 0) return null;
  const order = permutation(candidates.length, createRng(deriveSeed(options.seed, MONITOR_STREAM)));
  const chosen = order.slice(0, options.size).map((i) => candidates[i]!);
  const classes = new Set(chosen.map((c) => c.label)).size;
  if (classes < 2 || chosen.length < 5 * options.k) return null;
  return {
    images: await gatherRows(
      rows,
      chosen.map((c) => c.row),
    ),
    labels: Int32Array.from(chosen, (c) => c.label),
    classes: Math.max(...chosen.map((c) => c.label)) + 1,
    k: options.k,
  };
}

/** 5-fold cosine k-NN accuracy of the backbone's frozen features on the monitor set. */
export async function monitorKnnAccuracy(backbone: LayersModel, set: MonitorSet): Promise<number> {
  const { pixels, n, h, w, c } = set.images;
  const features = await extractFeatures(backbone, pixels, n, h, w, c, 128);
  return crossValidatedKnn({
    features,
    labels: set.labels,
    dim: features.length / n,
    classes: set.classes,
    k: set.k,
  });
}
