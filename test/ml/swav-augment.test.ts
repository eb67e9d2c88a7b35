import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../ml/random.js';
import {
  distortColors,
  gaussianBlurBatch,
  type MultiCropConfig,
  multiCropBatch,
  randomResizedCropBox,
  swavMultiCropConfig,
} from '../../ml/swav/index.js';

await tf.setBackend('cpu');

function randomImages(n: number, size: number, seed: number): tf.Tensor4D {
  const rng = createRng(seed);
  return tf.tensor4d(
    Array.from({ length: n * size * size * 3 }, () => rng.int(256)),
    [n, size, size, 3],
  );
}

test('multiCropBatch: 2 global + N local views, right sizes, values in [0, 1], seeded', () => {
  const images = randomImages(3, 24, 1);
  const config = swavMultiCropConfig(16, 8, 4);
  const views = multiCropBatch(images, config, createRng(7));
  assert.deepEqual(
    views.map((v) => v.shape),
    [...Array(2).fill([3, 16, 16, 3]), ...Array(4).fill([3, 8, 8, 3])],
  );
  for (const v of views) {
    assert.ok(tf.min(v).dataSync()[0]! >= 0 && tf.max(v).dataSync()[0]! <= 1 + 1e-6);
  }
  const again = multiCropBatch(images, config, createRng(7));
  views.forEach((v, i) => {
    assert.deepEqual(v.dataSync(), again[i]?.dataSync());
  });
  const other = multiCropBatch(images, config, createRng(8));
  assert.notDeepEqual(views[0]?.dataSync(), other[0]?.dataSync());
});

test('full-scale crop without distortions is the identity; a flipped one mirrors columns', () => {
  const images = randomImages(2, 12, 2);
  const plain: MultiCropConfig = {
    global: { count: 1, size: 12, scale: [1, 1] },
    local: { count: 0, size: 6, scale: [0.05, 0.14] },
    flipProbability: 0,
    colorJitter: null,
    grayscaleProbability: 0,
    blur: null,
    normalize: null,
  };
  const [view] = multiCropBatch(images, plain, createRng(1));
  const expected = tf.div(images, 255);
  assert.ok(tf.max(tf.abs(tf.sub(view!, expected))).dataSync()[0]! < 1e-5);
  const [flipped] = multiCropBatch(images, { ...plain, flipProbability: 1 }, createRng(1));
  assert.ok(tf.max(tf.abs(tf.sub(flipped!, tf.reverse(expected, 2)))).dataSync()[0]! < 1e-5);
});

test('randomResizedCropBox stays inside the image and respects the area range', () => {
  const rng = createRng(3);
  for (let i = 0; i < 200; i++) {
    const [y1, x1, y2, x2] = randomResizedCropBox(32, 48, [0.05, 0.14], false, rng);
    for (const v of [y1, x1, y2, x2]) assert.ok(v >= 0 && v <= 1);
    const area = ((y2 - y1) * 31 + 1) * ((x2 - x1) * 47 + 1);
    assert.ok(area >= 0.04 * 32 * 48 && area <= 0.16 * 32 * 48, `area ${area}`);
  }
});

test('colour distortion: identity factors change nothing, grayscale equalises channels', () => {
  const images = tf.div(randomImages(2, 5, 4), 255) as tf.Tensor4D;
  const identity = {
    brightness: Float32Array.of(1, 1),
    contrast: Float32Array.of(1, 1),
    saturation: Float32Array.of(1, 1),
    hue: Float32Array.of(0, 0),
    grayscale: Uint8Array.of(0, 0),
  };
  assert.ok(tf.max(tf.abs(tf.sub(distortColors(images, identity), images))).dataSync()[0]! < 1e-5);
  const gray = distortColors(images, { ...identity, grayscale: Uint8Array.of(1, 0) });
  const [r, g, b] = tf.split(tf.slice(gray, [0, 0, 0, 0], [1, -1, -1, -1]), 3, 3);
  assert.ok(tf.max(tf.abs(tf.sub(r!, g!))).dataSync()[0]! < 1e-6);
  assert.ok(tf.max(tf.abs(tf.sub(r!, b!))).dataSync()[0]! < 1e-6);
  const darker = distortColors(images, { ...identity, brightness: Float32Array.of(0.5, 0.5) });
  assert.ok(tf.mean(darker).dataSync()[0]! < tf.mean(images).dataSync()[0]!);
});

test('gaussianBlurBatch: sigma 0 is the identity, blur keeps the mean and lowers the variance', () => {
  const images = tf.div(randomImages(2, 10, 5), 255) as tf.Tensor4D;
  const blurred = gaussianBlurBatch(images, [0, 1.5]);
  const [sharp, soft] = tf.split(blurred, 2, 0);
  const [orig0, orig1] = tf.split(images, 2, 0);
  assert.ok(tf.max(tf.abs(tf.sub(sharp!, orig0!))).dataSync()[0]! < 1e-6);
  assert.ok(Math.abs(tf.mean(soft!).dataSync()[0]! - tf.mean(orig1!).dataSync()[0]!) < 0.02);
  assert.ok(tf.moments(soft!).variance.dataSync()[0]! < tf.moments(orig1!).variance.dataSync()[0]! / 2);
  const flat = gaussianBlurBatch(tf.fill([1, 6, 6, 3], 0.4) as tf.Tensor4D, [1]);
  assert.ok(tf.max(tf.abs(tf.sub(flat, 0.4))).dataSync()[0]! < 1e-6);
});
