import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import {
  BackboneSpec,
  buildBackbone,
  buildResNet50,
  buildSmallResNet,
  extractFeatures,
  featureDimOf,
  loadBackboneFromMemory,
  saveBackboneToMemory,
} from '../../ml/models/index.js';
import { initBackend } from '../../runtime/index.js';

const TINY = { inputSize: 16, widths: [8, 16, 16, 24], blocksPerStage: [1, 1, 1, 1] };

function weightsOf(model: tfl.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => w.dataSync() as Float32Array);
}

function randomImages(n: number, size: number, channels: number, seed: number): Uint8Array {
  const out = new Uint8Array(n * size * size * channels);
  let state = seed;
  for (let i = 0; i < out.length; i++) {
    state = (state * 1103515245 + 12345) % 2147483648;
    out[i] = state % 256;
  }
  return out;
}

describe('backbones', () => {
  before(async () => {
    await initBackend({ prefer: 'wasm', log: () => {} });
  });

  it('small ResNet has the ResNet-18 layout and pools to the last width', () => {
    const model = buildSmallResNet({ seed: 1 });
    assert.deepEqual(model.inputs[0]!.shape, [null, 32, 32, 3]);
    assert.deepEqual(model.outputs[0]!.shape, [null, 256]);
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D').length;
    assert.equal(convs, 1 + 2 * 8 + 3, 'stem + two per basic block + three projections');
    const params = model.countParams();
    assert.ok(params > 2.7e6 && params < 2.9e6, `about 2.8 M parameters, got ${params}`);
    const out = tf.tidy(() => (model.predict(tf.zeros([2, 32, 32, 3])) as tf.Tensor).shape);
    assert.deepEqual(out, [2, 256]);
    model.dispose();
  });

  it('ResNet-50 has bottleneck stages [3,4,6,3] and a 2048-d output', () => {
    const model = buildResNet50({ inputSize: 64, seed: 1 });
    assert.deepEqual(model.outputs[0]!.shape, [null, 2048]);
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D').length;
    assert.equal(convs, 1 + 3 * 16 + 4);
    const params = model.countParams();
    assert.ok(params > 23.4e6 && params < 23.6e6, `torchvision has 23.5 M without fc, got ${params}`);
    const out = tf.tidy(() => (model.predict(tf.zeros([1, 64, 64, 3])) as tf.Tensor).shape);
    assert.deepEqual(out, [1, 2048]);
    model.dispose();
  });

  it('same seed gives identical weights, another seed different ones', () => {
    const a = buildSmallResNet({ ...TINY, seed: 7 });
    const b = buildSmallResNet({ ...TINY, seed: 7 });
    const c = buildSmallResNet({ ...TINY, seed: 8 });
    const wa = weightsOf(a);
    assert.deepEqual(weightsOf(b), wa);
    assert.notDeepEqual(weightsOf(c)[0], wa[0]);
    for (const m of [a, b, c]) m.dispose();
  });

  it('save/load through memory round-trips to identical features', async () => {
    const model = buildSmallResNet({ ...TINY, seed: 3 });
    const images = randomImages(5, 16, 3, 1);
    const before = await extractFeatures(model, images, 5, 16, 16, 3, 2);
    const saved = await saveBackboneToMemory(model);
    assert.ok(saved.weights.byteLength > 4 * model.countParams() * 0.99, 'weights include BN statistics');
    const json = JSON.parse(saved.modelJson) as { weightsManifest: Array<{ paths: string[] }> };
    assert.deepEqual(json.weightsManifest[0]!.paths, ['weights.bin']);
    const loaded = await loadBackboneFromMemory(saved);
    const after = await extractFeatures(loaded, images, 5, 16, 16, 3, 3);
    assert.deepEqual(after, before);
    model.dispose();
    loaded.dispose();
  });

  it('grayscale input is repeated to RGB, resized, and reports progress', async () => {
    const model = buildSmallResNet({ ...TINY, seed: 4 });
    const n = 3;
    const gray = randomImages(n, 20, 1, 2);
    const rgb = new Uint8Array(gray.length * 3);
    for (const [i, v] of gray.entries()) rgb.fill(v, i * 3, i * 3 + 3);
    const progress: Array<[number, number]> = [];
    const numTensors = tf.memory().numTensors;
    const fromGray = await extractFeatures(model, gray, n, 20, 20, 1, 2, (done, total) =>
      progress.push([done, total]),
    );
    assert.equal(tf.memory().numTensors, numTensors, 'no tensors left behind');
    const fromRgb = await extractFeatures(model, rgb, n, 20, 20, 3, 2);
    assert.equal(fromGray.length, n * 24);
    assert.deepEqual(fromGray, fromRgb);
    assert.deepEqual(progress, [
      [2, 3],
      [3, 3],
    ]);
    model.dispose();
  });

  it('BackboneSpec fills defaults and rejects unknown kinds', () => {
    const small = BackboneSpec.parse({ kind: 'small-resnet' });
    assert.deepEqual(small, {
      kind: 'small-resnet',
      inputSize: 32,
      widths: [32, 64, 128, 256],
      blocksPerStage: [2, 2, 2, 2],
      seed: 0,
    });
    assert.equal(featureDimOf(small), 256);
    assert.equal(featureDimOf(BackboneSpec.parse({ kind: 'resnet50' })), 2048);
    assert.equal(BackboneSpec.safeParse({ kind: 'vit' }).success, false);
    const built = buildBackbone(BackboneSpec.parse({ kind: 'small-resnet', ...TINY }));
    assert.deepEqual(built.outputs[0]!.shape, [null, 24]);
    built.dispose();
    assert.throws(() => buildBackbone({ kind: 'imported', modelKey: 'k', inputSize: 224, featureDim: 2048 }));
  });
});
