import * as tf from '@tensorflow/tfjs-core';

/** Normalised Gaussian taps for offsets −radius..radius; sigma 0 gives the identity (a single 1). */
function gaussianTaps(sigma: number, radius: number): Float32Array {
  const taps = new Float32Array(2 * radius + 1);
  if (sigma <= 0) {
    taps[radius] = 1;
    return taps;
  }
  let total = 0;
  for (let i = -radius; i <= radius; i++) {
    const v = Math.exp(-(i * i) / (2 * sigma * sigma));
    taps[i + radius] = v;
    total += v;
  }
  for (let i = 0; i < taps.length; i++) taps[i] = (taps[i] ?? 0) / total;
  return taps;
}

/** Weighted sum of shifted copies along one spatial axis, with a different tap set per image. */
function blurAxis(padded: tf.Tensor4D, taps: tf.Tensor2D, radius: number, axis: 1 | 2, length: number) {
  let out: tf.Tensor4D | null = null;
  for (let d = 0; d <= 2 * radius; d++) {
    const begin = axis === 1 ? [0, d, 0, 0] : [0, 0, d, 0];
    const size = axis === 1 ? [-1, length, -1, -1] : [-1, -1, length, -1];
    const weight = tf.reshape(tf.slice(taps, [0, d], [-1, 1]), [-1, 1, 1, 1]);
    const term = tf.mul(tf.slice(padded, begin, size), weight) as tf.Tensor4D;
    out = out ? (tf.add(out, term) as tf.Tensor4D) : term;
  }
  return out as tf.Tensor4D;
}

/**
 * Separable Gaussian blur with one sigma per image (0 = leave that image alone), reflected borders so
 * edges don't darken. Written as a per-image weighted sum of shifted copies so the whole batch is blurred
 * with a few batched ops; augmentation needs no gradient. Sigma is in pixels.
 */
export function gaussianBlurBatch(images: tf.Tensor4D, sigmas: readonly number[]): tf.Tensor4D {
  const [n, h, w] = images.shape;
  const maxSigma = Math.max(0, ...sigmas);
  const radius = Math.min(Math.ceil(3 * maxSigma), h - 1, w - 1);
  if (radius < 1) return tf.clone(images);
  const taps = new Float32Array(n * (2 * radius + 1));
  sigmas.forEach((s, i) => {
    taps.set(gaussianTaps(s, radius), i * (2 * radius + 1));
  });
  return tf.tidy(() => {
    const tapTensor = tf.tensor2d(taps, [n, 2 * radius + 1]);
    const padRows = tf.mirrorPad(
      images,
      [
        [0, 0],
        [radius, radius],
        [0, 0],
        [0, 0],
      ],
      'reflect',
    );
    const vertical = blurAxis(padRows, tapTensor, radius, 1, h);
    const padCols = tf.mirrorPad(
      vertical,
      [
        [0, 0],
        [0, 0],
        [radius, radius],
        [0, 0],
      ],
      'reflect',
    );
    return blurAxis(padCols, tapTensor, radius, 2, w);
  });
}
