import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../random.js';
import { gaussianBlurBatch } from './blur.js';
import { type ColorFactors, distortColors } from './color.js';
import { randomResizedCropBox } from './crop-boxes.js';

export interface CropGroupConfig {
  /** Views per image in this group. */
  count: number;
  /** Output side length in pixels. */
  size: number;
  /** Share of the image area kept by RandomResizedCrop. */
  scale: readonly [number, number];
}

export interface ColorJitterConfig {
  brightness: number;
  contrast: number;
  saturation: number;
  hue: number;
  /** Probability that a view is jittered at all. */
  probability: number;
}

export interface BlurConfig {
  probability: number;
  /** Sigma range as a fraction of the crop side (SwAV: 0.1–2 px at 224 px). */
  sigmaFraction: readonly [number, number];
}

export interface MultiCropConfig {
  global: CropGroupConfig;
  local: CropGroupConfig;
  flipProbability: number;
  /** null: no colour jitter. */
  colorJitter: ColorJitterConfig | null;
  grayscaleProbability: number;
  /** null: no blur. */
  blur: BlurConfig | null;
  /** Per-channel normalisation applied last; null = values stay in [0, 1]. */
  normalize: { mean: readonly number[]; std: readonly number[] } | null;
}

/** SwAV's colour distortion with s = 1. */
export const SWAV_COLOR_JITTER: ColorJitterConfig = {
  brightness: 0.8,
  contrast: 0.8,
  saturation: 0.8,
  hue: 0.2,
  probability: 0.8,
};

export const SWAV_BLUR: BlurConfig = { probability: 0.5, sigmaFraction: [0.1 / 224, 2 / 224] };

/** The paper's 2×global + N×local recipe (N = 6 at 224 px), at the given crop sizes, without normalisation. */
export function swavMultiCropConfig(
  globalSize: number,
  localSize: number,
  localCount: number,
): MultiCropConfig {
  return {
    global: { count: 2, size: globalSize, scale: [0.14, 1] },
    local: { count: localCount, size: localSize, scale: [0.05, 0.14] },
    flipProbability: 0.5,
    colorJitter: SWAV_COLOR_JITTER,
    grayscaleProbability: 0.2,
    blur: SWAV_BLUR,
    normalize: null,
  };
}

function drawColorFactors(n: number, jitter: ColorJitterConfig | null, grayP: number, rng: Rng) {
  const factors: ColorFactors = {
    brightness: new Float32Array(n).fill(1),
    contrast: new Float32Array(n).fill(1),
    saturation: new Float32Array(n).fill(1),
    hue: new Float32Array(n),
    grayscale: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    if (jitter && rng.bernoulli(jitter.probability)) {
      factors.brightness[i] = rng.uniform(Math.max(0, 1 - jitter.brightness), 1 + jitter.brightness);
      factors.contrast[i] = rng.uniform(Math.max(0, 1 - jitter.contrast), 1 + jitter.contrast);
      factors.saturation[i] = rng.uniform(Math.max(0, 1 - jitter.saturation), 1 + jitter.saturation);
      factors.hue[i] = rng.uniform(-jitter.hue, jitter.hue);
    }
    factors.grayscale[i] = rng.bernoulli(grayP) ? 1 : 0;
  }
  return factors;
}

function drawBlurSigmas(n: number, size: number, blur: BlurConfig | null, rng: Rng): number[] {
  const sigmas: number[] = [];
  for (let i = 0; i < n; i++) {
    const apply = blur !== null && rng.bernoulli(blur.probability);
    sigmas.push(apply && blur ? rng.uniform(blur.sigmaFraction[0], blur.sigmaFraction[1]) * size : 0);
  }
  return sigmas;
}

function normalizeChannels(x: tf.Tensor4D, config: MultiCropConfig['normalize']): tf.Tensor4D {
  if (!config) return x;
  return tf.tidy(() => tf.div(tf.sub(x, tf.tensor1d([...config.mean])), tf.tensor1d([...config.std])));
}

/** One augmented view of every image: random resized crop (+flip), colour distortion, blur. */
function augmentView(
  images01: tf.Tensor4D,
  group: CropGroupConfig,
  config: MultiCropConfig,
  rng: Rng,
): tf.Tensor4D {
  const [n, h, w] = images01.shape;
  const boxes: number[] = [];
  for (let i = 0; i < n; i++)
    boxes.push(...randomResizedCropBox(h, w, group.scale, rng.bernoulli(config.flipProbability), rng));
  const factors = drawColorFactors(n, config.colorJitter, config.grayscaleProbability, rng);
  const sigmas = drawBlurSigmas(n, group.size, config.blur, rng);
  return tf.tidy(() => {
    const boxIndices = tf.tensor1d(
      Array.from({ length: n }, (_, i) => i),
      'int32',
    );
    const cropped = tf.image.cropAndResize(images01, tf.tensor2d(boxes, [n, 4]), boxIndices, [
      group.size,
      group.size,
    ]);
    const colored = distortColors(tf.clipByValue(cropped, 0, 1), factors);
    return normalizeChannels(gaussianBlurBatch(colored, sigmas), config.normalize);
  });
}

/**
 * SwAV multi-crop: for a batch of images with values in [0, 255] (NHWC), returns `global.count` views at
 * `global.size` followed by `local.count` views at `local.size`, each a float32 [N, size, size, C].
 * All randomness is drawn from `rng` in a fixed order, so the same rng state gives the same views.
 */
export function multiCropBatch(images: tf.Tensor4D, config: MultiCropConfig, rng: Rng): tf.Tensor4D[] {
  const images01 = tf.tidy(() => tf.div(tf.cast(images, 'float32'), 255) as tf.Tensor4D);
  const views: tf.Tensor4D[] = [];
  for (const group of [config.global, config.local]) {
    for (let v = 0; v < group.count; v++) views.push(augmentView(images01, group, config, rng));
  }
  images01.dispose();
  return views;
}
