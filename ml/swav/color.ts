import * as tf from '@tensorflow/tfjs-core';

/** Per-sample colour-distortion factors; identity values (1, 1, 1, 0, false) leave a sample untouched. */
export interface ColorFactors {
  brightness: Float32Array;
  contrast: Float32Array;
  saturation: Float32Array;
  hue: Float32Array;
  grayscale: Uint8Array;
}

const LUMA = [0.299, 0.587, 0.114];

function perSample(values: Float32Array): tf.Tensor4D {
  return tf.tensor4d(values, [values.length, 1, 1, 1]);
}

/** ITU-R 601 luma, [N,H,W,1]; what torchvision's grayscale and saturation/contrast references use. */
function luma(images: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    if (images.shape[3] !== 3) return tf.mean(images, 3, true) as tf.Tensor4D;
    return tf.sum(tf.mul(images, tf.tensor1d(LUMA)), 3, true) as tf.Tensor4D;
  });
}

function blendTowards(images: tf.Tensor4D, reference: tf.Tensor, factor: tf.Tensor4D): tf.Tensor4D {
  return tf.clipByValue(tf.add(tf.mul(tf.sub(images, reference), factor), reference), 0, 1) as tf.Tensor4D;
}

/**
 * Hue rotation in YIQ space: a linear stand-in for torchvision's HSV hue shift that stays a handful of
 * batched tensor ops (`shift` is a fraction of the full colour circle, as in ColorJitter).
 */
function rotateHue(images: tf.Tensor4D, shift: Float32Array): tf.Tensor4D {
  const n = shift.length;
  const matrices = new Float32Array(n * 9);
  for (let i = 0; i < n; i++) {
    const theta = 2 * Math.PI * (shift[i] ?? 0);
    matrices.set(hueMatrix(Math.cos(theta), Math.sin(theta)), i * 9);
  }
  return tf.tidy(() => {
    const [b, h, w] = images.shape;
    const flat = tf.reshape(images, [b, h * w, 3]);
    const rotated = tf.matMul(flat, tf.tensor3d(matrices, [n, 3, 3]));
    return tf.clipByValue(tf.reshape(rotated, [b, h, w, 3]), 0, 1) as tf.Tensor4D;
  });
}

const TO_YIQ = [
  [0.299, 0.587, 0.114],
  [0.596, -0.274, -0.322],
  [0.211, -0.523, 0.312],
];
// The exact inverse, so that a zero hue shift is the identity to float precision.
const FROM_YIQ = invert3(TO_YIQ);

/** RGB→YIQ, rotate I/Q by θ, YIQ→RGB, as one 3×3 matrix applied as `rgb_row · M`. */
function hueMatrix(cos: number, sin: number): number[] {
  const rot = [
    [1, 0, 0],
    [0, cos, -sin],
    [0, sin, cos],
  ];
  const m = multiply3(FROM_YIQ, multiply3(rot, TO_YIQ));
  // Transposed so that a row vector of RGB multiplies from the left.
  const out: number[] = [];
  for (let c = 0; c < 3; c++) for (let r = 0; r < 3; r++) out.push(m[r]?.[c] ?? 0);
  return out;
}

function multiply3(a: number[][], b: number[][]): number[][] {
  return a.map((row) => [0, 1, 2].map((c) => row.reduce((acc, v, k) => acc + v * (b[k]?.[c] ?? 0), 0)));
}

function invert3(m: number[][]): number[][] {
  const at = (r: number, c: number) => m[r]?.[c] ?? 0;
  const cof = (r: number, c: number) => {
    const rs = [0, 1, 2].filter((i) => i !== r);
    const cs = [0, 1, 2].filter((i) => i !== c);
    const [r0 = 0, r1 = 0] = rs;
    const [c0 = 0, c1 = 0] = cs;
    return ((r + c) % 2 === 0 ? 1 : -1) * (at(r0, c0) * at(r1, c1) - at(r0, c1) * at(r1, c0));
  };
  const det = at(0, 0) * cof(0, 0) + at(0, 1) * cof(0, 1) + at(0, 2) * cof(0, 2);
  return [0, 1, 2].map((r) => [0, 1, 2].map((c) => cof(c, r) / det));
}

/**
 * ColorJitter (brightness, contrast, saturation, hue; fixed order rather than torchvision's random
 * order, to keep it batched) followed by RandomGrayscale. Images are floats in [0, 1].
 */
export function distortColors(images: tf.Tensor4D, factors: ColorFactors): tf.Tensor4D {
  return tf.tidy(() => {
    // Ops whose factors are the identity for the whole batch are skipped: cheaper, and exact.
    const anyJitter = factors.brightness.some((v, i) => v !== 1 || factors.contrast[i] !== 1);
    let x = images;
    if (anyJitter) {
      x = tf.clipByValue(tf.mul(x, perSample(factors.brightness)), 0, 1) as tf.Tensor4D;
      x = blendTowards(x, tf.mean(luma(x), [1, 2, 3], true), perSample(factors.contrast));
    }
    if (images.shape[3] !== 3) return tf.clone(x);
    if (factors.saturation.some((v) => v !== 1)) x = blendTowards(x, luma(x), perSample(factors.saturation));
    if (factors.hue.some((v) => v !== 0)) x = rotateHue(x, factors.hue);
    if (factors.grayscale.some((v) => v !== 0)) {
      const gray = perSample(Float32Array.from(factors.grayscale));
      x = tf.add(tf.mul(tf.sub(1, gray), x), tf.mul(gray, tf.tile(luma(x), [1, 1, 1, 3]))) as tf.Tensor4D;
    }
    return x === images ? tf.clone(x) : x;
  });
}
