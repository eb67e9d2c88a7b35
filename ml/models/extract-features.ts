// Frozen-backbone feature extraction: uint8 NHWC images in, float features out, one batch of
// tensors alive at a time so tens of thousands of crops fit in wasm's 4 GB heap.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { compileFrozenInference } from '../../runtime/fold-batchnorm.js';

export interface Normalization {
  mean: [number, number, number];
  std: [number, number, number];
}

/** ImageNet statistics: what torchvision, SwAV and the converted checkpoints expect. */
export const IMAGENET_NORMALIZATION: Normalization = {
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

export type BatchProgress = (done: number, total: number) => void;

function modelInputGeometry(model: tfl.LayersModel): { size: [number, number]; channels: number } {
  const shape = model.inputs[0]!.shape;
  const [height, width, channels] = [shape[1], shape[2], shape[3]];
  if (typeof height !== 'number' || typeof width !== 'number' || typeof channels !== 'number') {
    throw new Error(`backbone input must have a fixed HxWxC shape, got ${JSON.stringify(shape)}`);
  }
  return { size: [height, width], channels };
}

/** uint8 batch -> normalised float batch at the model's resolution and channel count. */
function prepareBatch(
  pixels: Uint8Array,
  shape: [number, number, number, number],
  target: { size: [number, number]; channels: number },
  norm: Normalization,
): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.tensor4d(pixels, shape, 'float32');
    const channels = shape[3];
    if (channels === 1 && target.channels === 3) x = tf.tile(x, [1, 1, 1, 3]);
    else if (channels !== target.channels) {
      throw new Error(`cannot feed ${channels}-channel images to a ${target.channels}-channel backbone`);
    }
    if (shape[1] !== target.size[0] || shape[2] !== target.size[1]) {
      x = tf.image.resizeBilinear(x, target.size, false, true);
    }
    const mean = target.channels === 3 ? norm.mean : [norm.mean[0]];
    const std = target.channels === 3 ? norm.std : [norm.std[0]];
    const scaledMean = tf.tensor1d(mean.map((m) => m * 255));
    const scaledStd = tf.tensor1d(std.map((s) => s * 255));
    return tf.div(tf.sub(x, scaledMean), scaledStd);
  });
}

export async function extractFeatures(
  model: tfl.LayersModel,
  images: Uint8Array,
  n: number,
  h: number,
  w: number,
  c: number,
  batchSize: number,
  onBatch?: BatchProgress,
  normalization: Normalization = IMAGENET_NORMALIZATION,
): Promise<Float32Array> {
  const imageSize = h * w * c;
  if (images.length < n * imageSize) throw new Error(`expected ${n * imageSize} bytes, got ${images.length}`);
  const target = modelInputGeometry(model);
  const dim = model.outputs[0]!.shape[1] as number;
  const features = new Float32Array(n * dim);
  // Frozen backbone: BN folded into the convs, ReLUs fused; model.predict for unsupported graphs.
  const compiled = compileFrozenInference(model);
  const forward = compiled ?? ((x: tf.Tensor4D) => model.predict(x) as tf.Tensor);
  try {
    for (let start = 0; start < n; start += batchSize) {
      const count = Math.min(batchSize, n - start);
      const pixels = images.subarray(start * imageSize, (start + count) * imageSize);
      const batch = prepareBatch(pixels, [count, h, w, c], target, normalization);
      const out = forward(batch);
      features.set(await out.data(), start * dim);
      tf.dispose([batch, out]);
      onBatch?.(start + count, n);
    }
  } finally {
    compiled?.dispose();
  }
  return features;
}
