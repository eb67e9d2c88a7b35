import { IMAGENET_NORMALIZATION } from '../models/index.js';
import { type MultiCropConfig, SWAV_BLUR, SWAV_COLOR_JITTER, swavMultiCropConfig } from './multicrop.js';
import type { ResolvedSwavSettings } from './params.js';
import type { SwavTrainerConfig } from './trainer.js';

/** SwAV's multi-crop recipe at the configured sizes, scales and augmentation strengths. */
function swavMultiCrop(settings: ResolvedSwavSettings): MultiCropConfig {
  const base = swavMultiCropConfig(settings.globalCrop, settings.localCrop, settings.localCount);
  const s = settings.colorJitter;
  const jitter = { brightness: 0.8 * s, contrast: 0.8 * s, saturation: 0.8 * s, hue: 0.2 * s };
  return {
    ...base,
    global: { ...base.global, scale: settings.globalScale },
    local: { ...base.local, scale: settings.localScale },
    colorJitter: s > 0 ? { ...SWAV_COLOR_JITTER, ...jitter } : null,
    grayscaleProbability: settings.grayscaleProbability,
    blur: { ...SWAV_BLUR, probability: settings.blurProbability },
    normalize: IMAGENET_NORMALIZATION,
  };
}

/** Resolved settings as the trainer's config: warm-up then cosine to lr/1000, seeded throughout. */
export function swavTrainerConfig(settings: ResolvedSwavSettings, stepsPerEpoch: number): SwavTrainerConfig {
  return {
    model: {
      projHidden: settings.projHidden,
      projOut: settings.projOut,
      prototypes: settings.prototypes,
      seed: settings.seed,
    },
    crops: swavMultiCrop(settings),
    schedule: {
      baseLr: settings.lr,
      finalLr: settings.lr * 0.001,
      warmupSteps: Math.round(settings.warmupEpochs * stepsPerEpoch),
      totalSteps: settings.epochs * stepsPerEpoch,
    },
    batchSize: settings.batchSize,
    seed: settings.seed,
    momentum: settings.momentum,
    weightDecay: settings.weightDecay,
    epsilon: settings.epsilon,
    sinkhornIterations: settings.sinkhornIterations,
    temperature: settings.temperature,
    freezePrototypesIterations: settings.freezePrototypesSteps,
    queue:
      settings.queueLength > 0
        ? { length: settings.queueLength, startEpoch: settings.queueStartEpoch }
        : null,
  };
}
