import { IMAGENET_NORMALIZATION } from '../../ml/models/index.js';
import { createRng, permutation } from '../../ml/random.js';
import {
  type ImageBatch,
  type MultiCropConfig,
  SWAV_BLUR,
  SWAV_COLOR_JITTER,
  type SwavTrainerConfig,
  swavMultiCropConfig,
} from '../../ml/swav/index.js';
import type { ResolvedSwavSettings } from './swav-defaults.js';

export type { ResolvedSwavSettings, SwavSettings } from './swav-defaults.js';

/** SwAV's multi-crop recipe at the configured sizes, scales and augmentation strengths. */
export function swavMultiCrop(params: ResolvedSwavSettings): MultiCropConfig {
  const base = swavMultiCropConfig(params.globalCrop, params.localCrop, params.localCount);
  const s = params.colorJitter;
  const jitter = { brightness: 0.8 * s, contrast: 0.8 * s, saturation: 0.8 * s, hue: 0.2 * s };
  return {
    ...base,
    global: { ...base.global, scale: params.globalScale },
    local: { ...base.local, scale: params.localScale },
    colorJitter: s > 0 ? { ...SWAV_COLOR_JITTER, ...jitter } : undefined,
    grayscaleProbability: params.grayscaleProbability,
    blur: { ...SWAV_BLUR, probability: params.blurProbability },
    normalize: IMAGENET_NORMALIZATION,
  };
}

/** The pretrain stage's params as a trainer config: warm-up then cosine to lr/1000, seeded throughout. */
export function swavTrainerConfig(params: ResolvedSwavSettings, stepsPerEpoch: number): SwavTrainerConfig {
  return {
    model: {
      projHidden: params.projHidden,
      projOut: params.projOut,
      prototypes: params.prototypes,
      seed: params.seed,
    },
    crops: swavMultiCrop(params),
    schedule: {
      baseLr: params.lr,
      finalLr: params.lr * 0.001,
      warmupSteps: Math.round(params.warmupEpochs * stepsPerEpoch),
      totalSteps: params.epochs * stepsPerEpoch,
    },
    seed: params.seed,
    epsilon: params.epsilon,
    temperature: params.temperature,
    freezePrototypesIterations: params.freezePrototypesSteps,
    ...(params.queueLength > 0
      ? { queue: { length: params.queueLength, startEpoch: params.queueStartEpoch } }
      : {}),
  };
}

/** The unlabelled pool, or a seeded subset of `maxImages` of it: SwAV never sees a label. */
export function swavTrainingImages(
  pool: ImageBatch,
  params: Pick<ResolvedSwavSettings, 'maxImages' | 'seed'>,
): ImageBatch {
  if (params.maxImages === 0 || params.maxImages >= pool.n) return pool;
  const per = pool.h * pool.w * pool.c;
  const chosen = permutation(pool.n, createRng(params.seed)).slice(0, params.maxImages);
  const pixels = new Uint8Array(chosen.length * per);
  chosen.forEach((row, i) => {
    pixels.set(pool.pixels.subarray(row * per, (row + 1) * per), i * per);
  });
  return { ...pool, pixels, n: chosen.length };
}
