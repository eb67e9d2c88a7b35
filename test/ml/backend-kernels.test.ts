// The wasm replacement kernels must agree with the pure-JS cpu backend, which runs tfjs's
// reference implementations. Inputs are generated in JS so both backends see identical data.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { buildSmallResNet } from '../../ml/models/index.js';
import { initBackend, planTile } from '../../runtime/index.js';
import { relativeError, seededUniform } from '../support/numeric.js';

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  pad: 'same' | 'valid';
}

const CASES: ConvCase[] = [
  { batch: 2, height: 8, width: 8, inChannels: 3, outChannels: 4, kernel: 3, stride: 1, pad: 'same' },
  { batch: 2, height: 9, width: 7, inChannels: 3, outChannels: 5, kernel: 3, stride: 2, pad: 'same' },
  { batch: 3, height: 11, width: 13, inChannels: 2, outChannels: 3, kernel: 3, stride: 2, pad: 'valid' },
  { batch: 2, height: 10, width: 10, inChannels: 4, outChannels: 2, kernel: 3, stride: 3, pad: 'valid' },
  { batch: 2, height: 9, width: 9, inChannels: 5, outChannels: 6, kernel: 1, stride: 2, pad: 'same' },
  { batch: 2, height: 9, width: 11, inChannels: 5, outChannels: 6, kernel: 1, stride: 2, pad: 'valid' },
  { batch: 2, height: 8, width: 8, inChannels: 4, outChannels: 4, kernel: 1, stride: 1, pad: 'valid' },
  { batch: 2, height: 13, width: 12, inChannels: 3, outChannels: 4, kernel: 5, stride: 1, pad: 'same' },
  { batch: 2, height: 15, width: 14, inChannels: 3, outChannels: 2, kernel: 5, stride: 3, pad: 'same' },
  { batch: 2, height: 17, width: 17, inChannels: 3, outChannels: 8, kernel: 7, stride: 2, pad: 'same' },
  { batch: 3, height: 16, width: 15, inChannels: 2, outChannels: 3, kernel: 7, stride: 3, pad: 'valid' },
  { batch: 2, height: 12, width: 9, inChannels: 3, outChannels: 3, kernel: 4, stride: 2, pad: 'same' },
  { batch: 2, height: 7, width: 6, inChannels: 2, outChannels: 3, kernel: 2, stride: 3, pad: 'valid' },
  { batch: 2, height: 6, width: 9, inChannels: 6, outChannels: 2, kernel: 6, stride: 1, pad: 'valid' },
];

function convGradients(c: ConvCase, seed: number): { dx: Float32Array; dw: Float32Array } {
  return tf.tidy(() => {
    const xShape: [number, number, number, number] = [c.batch, c.height, c.width, c.inChannels];
    const wShape: [number, number, number, number] = [c.kernel, c.kernel, c.inChannels, c.outChannels];
    const x = tf.tensor4d(seededUniform(seed, tf.util.sizeFromShape(xShape)), xShape);
    const w = tf.tensor4d(seededUniform(seed + 1, tf.util.sizeFromShape(wShape)), wShape);
    const outShape = tf.conv2d(x, w, c.stride, c.pad).shape;
    // A random upstream gradient, so dy is not all ones (which would hide index mistakes).
    const dy = tf.tensor(seededUniform(seed + 2, tf.util.sizeFromShape(outShape)), outShape);
    const loss = (a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dy));
    const [dx, dw] = tf.grads(loss)([x, w]);
    return { dx: dx!.dataSync() as Float32Array, dw: dw!.dataSync() as Float32Array };
  });
}

async function onBackend<T>(name: string, run: () => T): Promise<T> {
  await tf.setBackend(name);
  return run();
}

describe('wasm training kernels', () => {
  before(async () => {
    await initBackend({ prefer: 'wasm', log: () => {} });
  });

  for (const [i, c] of CASES.entries()) {
    const label = `k${c.kernel} s${c.stride} ${c.pad} ${c.batch}x${c.height}x${c.width}x${c.inChannels}->${c.outChannels}`;
    it(`conv2d gradients match cpu: ${label}`, async (t) => {
      const reference = await onBackend('cpu', () => convGradients(c, 100 + i));
      const wasm = await onBackend('wasm', () => convGradients(c, 100 + i));
      const filterError = relativeError(wasm.dw, reference.dw);
      const inputError = relativeError(wasm.dx, reference.dx);
      t.diagnostic(`filter ${filterError.toExponential(1)} input ${inputError.toExponential(1)}`);
      assert.ok(filterError < 1e-4, `filter gradient relative error ${filterError}`);
      assert.ok(inputError < 1e-4, `input gradient relative error ${inputError}`);
    });
  }

  it('uses the replacement kernels and leaks neither tensors nor wasm buffers', async () => {
    await tf.setBackend('wasm');
    for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Tile']) {
      assert.match(tf.getKernel(name, 'wasm')!.kernelFunc.toString(), /callKernel/, `${name} replaced`);
    }
    const c = CASES[2]!;
    convGradients(c, 7);
    const before = tf.memory();
    const wasmBuffersBefore = tf.engine().backend.numDataIds();
    convGradients(c, 7);
    const after = tf.memory();
    assert.equal(after.numTensors, before.numTensors);
    assert.equal(after.numDataBuffers, before.numDataBuffers);
    assert.equal(tf.engine().backend.numDataIds(), wasmBuffersBefore);
  });

  it('tile replacement matches cpu, including the batch-norm shape', async () => {
    const cases: Array<{ shape: number[]; reps: number[] }> = [
      { shape: [1, 1, 1, 6], reps: [4, 3, 5, 1] },
      { shape: [2, 3], reps: [3, 2] },
      { shape: [3, 1, 2], reps: [1, 4, 2] },
      { shape: [2, 2, 2, 2], reps: [2, 2, 2, 2] },
    ];
    for (const [i, { shape, reps }] of cases.entries()) {
      const values = seededUniform(i, tf.util.sizeFromShape(shape));
      const run = () => tf.tidy(() => tf.tile(tf.tensor(values, shape), reps).dataSync() as Float32Array);
      const expected = await onBackend('cpu', run);
      const actual = await onBackend('wasm', run);
      assert.deepEqual(Array.from(actual), Array.from(expected), `tile ${shape} by ${reps}`);
    }
    assert.deepEqual(planTile([1, 1, 1, 64], [32, 8, 8, 1]), { source: [1, 64], target: [2048, 64] });
  });

  it("computes no gradient for the image: a network's first conv runs no backward-data conv", async () => {
    await tf.setBackend('wasm');
    const model = buildSmallResNet({ inputSize: 8, widths: [4, 8], blocksPerStage: [1, 1], seed: 5 });
    const convs = model.layers.filter((l) => l.getClassName() === 'Conv2D').length;
    const x = tf.tensor4d(seededUniform(13, 2 * 8 * 8 * 3), [2, 8, 8, 3]);
    const info = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() =>
        tf.sum(model.apply(x, { training: true }) as tf.Tensor),
      );
      tf.dispose([value, ...Object.values(grads)]);
    });
    const count = (name: string) => info.kernels.filter((k) => k.name === name).length;
    assert.equal(count('Conv2DBackpropFilter'), convs, 'one filter gradient per conv');
    assert.equal(count('Conv2DBackpropInput'), convs - 1, 'every conv but the first passes its gradient on');
    x.dispose();
    model.dispose();
  });

  it('a whole small ResNet has the same parameter gradients on wasm and cpu', async () => {
    await tf.setBackend('cpu');
    const model = buildSmallResNet({
      inputSize: 12,
      widths: [4, 8, 8, 8],
      blocksPerStage: [1, 1, 1, 1],
      seed: 3,
    });
    const xValues = seededUniform(11, 2 * 12 * 12 * 3);
    const gradients = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xValues, [2, 12, 12, 3]);
        const weights = tf.tensor2d(seededUniform(12, 2 * 8), [2, 8]);
        const { grads } = tf.variableGrads(() => {
          const features = model.apply(x, { training: true }) as tf.Tensor;
          return tf.sum(tf.mul(features, weights)) as tf.Scalar;
        });
        return Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, g.dataSync() as Float32Array]));
      });
    const reference = await onBackend('cpu', gradients);
    const wasm = await onBackend('wasm', gradients);
    // A second pass must not grow wasm's buffer table: kernels free every intermediate.
    const buffersBefore = tf.engine().backend.numDataIds();
    gradients();
    assert.equal(tf.engine().backend.numDataIds(), buffersBefore, 'wasm buffers leaked in a training pass');
    const names = Object.keys(reference);
    assert.ok(names.length > 10, 'expected gradients for every conv and batch-norm weight');
    for (const name of names) {
      const error = relativeError(wasm[name]!, reference[name]!);
      assert.ok(error < 1e-3, `${name}: relative error ${error}`);
    }
    model.dispose();
  });
});
