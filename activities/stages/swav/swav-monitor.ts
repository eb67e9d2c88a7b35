import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { LoadedCropPool } from '../../../data/crop/load-pool.js';
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

/**
 * A seeded subset of at most `size` labelled train crops, or null when there are too few labelled crops
 * (fewer than two classes, or fewer than 5 × k crops) for k-NN to mean anything.
 */
export function chooseMonitorSet(
  labelled: LoadedCropPool,
  options: { size: number; k: number; seed: number },
): MonitorSet | null {
  if (options.size === 0) return null;
  const train = labelled.index.entries.flatMap((e, row) =>
    e.split === 'train' && e.label !== null ? [{ row, label: e.label }] : [],
  );
  const order = permutation(train.length, createRng(deriveSeed(options.seed, MONITOR_STREAM)));
  const chosen = order.slice(0, options.size).map((i) => train[i]!);
  const classes = new Set(chosen.map((c) => c.label)).size;
  if (classes < 2 || chosen.length < 5 * options.k) return null;
  const per = labelled.size * labelled.size * 3;
  const pixels = new Uint8Array(chosen.length * per);
  chosen.forEach((c, i) => {
    pixels.set(labelled.pixels.subarray(c.row * per, (c.row + 1) * per), i * per);
  });
  return {
    images: { pixels, n: chosen.length, h: labelled.size, w: labelled.size, c: 3 },
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
