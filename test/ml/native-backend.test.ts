// The native 'tensorflow' backend (tfjs-node's binding built by infra/setup-native.sh against the
// PyPI TensorFlow C library) and our kernels on it must agree with the pure-JS cpu backend, which
// runs tfjs' reference implementations: relative error (max |diff| / max |reference|) < 1e-4 on
// seeded random inputs, for every conv geometry the ResNets use and a few more.
// Skips, saying what is missing, where the native route is not installed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildResNet50, buildSmallResNet } from '../../ml/models/index.js';
import { frozenConv2d, initBackend, loadNativeBackendDetailed } from '../../runtime/index.js';
import { FROZEN_CONV2D } from '../../runtime/kernels/native-onednn-conv.js';
import { asNativeBackend, floatTypeAttr, stringAttr } from '../../runtime/kernels/native-ops.js';
import { relativeError, seededUniform } from '../support/numeric.js';

const TOLERANCE = 1e-4;

const native = await loadNativeBackendDetailed();
// The last reason is about native/tfjs-node (the earlier ones: no stock tfjs-node package).
const skip =
  native.loaded === undefined
    ? `native TensorFlow backend not installed: ${native.reasons.at(-1) ?? 'unknown reason'}`
    : false;

function randomTensor(shape: number[], seed: number, scale = 1): tf.Tensor {
  return tf.tensor(seededUniform(seed, tf.util.sizeFromShape(shape), scale), shape);
}

type Arrays = Record<string, Float32Array>;

async function onBackend(name: 'cpu' | 'tensorflow', run: () => Arrays): Promise<Arrays> {
  await initBackend({ prefer: name, log: () => {} });
  assert.equal(tf.getBackend(), name);
  return run();
}

/** Runs `run` on both backends and checks every named output. Returns the worst error. */
async function compareWithCpu(label: string, run: () => Arrays): Promise<number> {
  const reference = await onBackend('cpu', run);
  const actual = await onBackend('tensorflow', run);
  let worst = 0;
  for (const [key, expected] of Object.entries(reference)) {
    const err = relativeError(actual[key]!, expected);
    worst = Math.max(worst, err);
    assert.ok(err < TOLERANCE, `${label} ${key}: relative error ${err.toExponential(2)}`);
  }
  return worst;
}

function values(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

interface ConvCase {
  x: [number, number, number, number];
  kernel: number;
  out: number;
  stride: number;
  pad: 'same' | 'valid';
}

// The ResNets use 'same' with kernels 1/3/7 and strides 1/2 (even and odd sizes); a few 'valid'
// and stride-3 cases guard the padding arithmetic.
const CONV_CASES: ConvCase[] = [
  { x: [2, 8, 8, 3], kernel: 3, out: 4, stride: 1, pad: 'same' },
  { x: [2, 9, 7, 3], kernel: 3, out: 5, stride: 2, pad: 'same' },
  { x: [2, 8, 8, 4], kernel: 3, out: 5, stride: 2, pad: 'same' },
  { x: [2, 9, 9, 5], kernel: 1, out: 6, stride: 2, pad: 'same' },
  { x: [2, 8, 8, 6], kernel: 1, out: 6, stride: 2, pad: 'same' },
  { x: [2, 8, 8, 4], kernel: 1, out: 8, stride: 1, pad: 'same' },
  { x: [2, 17, 17, 3], kernel: 7, out: 8, stride: 2, pad: 'same' },
  { x: [2, 16, 16, 3], kernel: 7, out: 4, stride: 2, pad: 'same' },
  { x: [3, 11, 13, 2], kernel: 3, out: 3, stride: 2, pad: 'valid' },
  { x: [2, 10, 10, 4], kernel: 3, out: 2, stride: 3, pad: 'valid' },
  { x: [2, 15, 14, 3], kernel: 5, out: 2, stride: 3, pad: 'same' },
];

function convCase(c: ConvCase, seed: number): Arrays {
  return tf.tidy(() => {
    const x = randomTensor(c.x, seed) as tf.Tensor4D;
    const w = randomTensor([c.kernel, c.kernel, c.x[3], c.out], seed + 1) as tf.Tensor4D;
    const bias = randomTensor([c.out], seed + 3) as tf.Tensor1D;
    const y = tf.conv2d(x, w, c.stride, c.pad);
    const fused = tf.fused.conv2d({ x, filter: w, strides: c.stride, pad: c.pad, bias, activation: 'relu' });
    const linear = tf.fused.conv2d({ x, filter: w, strides: c.stride, pad: c.pad, bias });
    const residual = randomTensor(y.shape, seed + 4) as tf.Tensor4D;
    const residualBefore = values(residual).slice();
    const geometry = {
      strides: [c.stride, c.stride] as [number, number],
      pad: c.pad,
      dilations: [1, 1] as [number, number],
    };
    const frozen = frozenConv2d({ x, filter: w, bias, ...geometry, activation: 'relu' });
    const withResidual = frozenConv2d({ x, filter: w, bias, residual, ...geometry, activation: 'relu' });
    const withResidualLinear = frozenConv2d({
      x,
      filter: w,
      bias,
      residual,
      ...geometry,
      activation: 'linear',
    });
    // oneDNN's sum post-op writes into its addend's buffer when it may; a live input must survive.
    assert.deepEqual(values(residual), residualBefore, 'frozenConv2d changed its residual input');
    // A random upstream gradient, so dy is not all ones (which would hide index mistakes).
    const dy = randomTensor(y.shape, seed + 2);
    const [dx, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dy)),
    )([x, w]);
    // Gradients through the fused op (tfjs-core's custom gradient over the oneDNN forward).
    const fusedLoss = (xa: tf.Tensor, wa: tf.Tensor, ba: tf.Tensor) =>
      tf.sum(
        tf.mul(
          tf.fused.conv2d({
            x: xa as tf.Tensor4D,
            filter: wa as tf.Tensor4D,
            bias: ba,
            strides: c.stride,
            pad: c.pad,
            activation: 'relu',
          }),
          dy,
        ),
      );
    const [fdx, fdw, fdb] = tf.grads(fusedLoss)([x, w, bias]);
    return {
      y: values(y),
      fused: values(fused),
      fusedDx: values(fdx!),
      fusedDw: values(fdw!),
      fusedDb: values(fdb!),
      linear: values(linear),
      frozen: values(frozen),
      residual: values(withResidual),
      residualLinear: values(withResidualLinear),
      dx: values(dx!),
      dw: values(dw!),
    };
  });
}

function matMulCase(seed: number): Arrays {
  return tf.tidy(() => {
    const a = randomTensor([33, 70], seed) as tf.Tensor2D;
    const b = randomTensor([70, 29], seed + 1) as tf.Tensor2D;
    const c = randomTensor([29, 70], seed + 2) as tf.Tensor2D;
    const batched = tf.matMul(randomTensor([3, 5, 7], seed + 3), randomTensor([3, 7, 4], seed + 4));
    const dy = randomTensor([33, 29], seed + 5);
    const [da, db] = tf.grads((x: tf.Tensor, y: tf.Tensor) =>
      tf.sum(tf.mul(tf.matMul(x as tf.Tensor2D, y as tf.Tensor2D), dy)),
    )([a, b]);
    return {
      ab: values(tf.matMul(a, b)),
      abT: values(tf.matMul(a, c, false, true)),
      batched: values(batched),
      da: values(da!),
      db: values(db!),
    };
  });
}

function reluGradCase(seed: number): Arrays {
  return tf.tidy(() => {
    const x = randomTensor([4, 6, 6, 5], seed);
    const dy = randomTensor([4, 6, 6, 5], seed + 1);
    const [dx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), dy)))([x]);
    return { relu: values(tf.relu(x)), dx: values(dx!) };
  });
}

function poolCase(seed: number): Arrays {
  return tf.tidy(() => {
    const x = randomTensor([2, 9, 8, 3], seed);
    const pooled = tf.maxPool(x as tf.Tensor4D, 3, 2, 'same');
    const dy = randomTensor(pooled.shape, seed + 1);
    const [dx] = tf.grads((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 3, 2, 'same'), dy)))([
      x,
    ]);
    return { max: values(pooled), mean: values(tf.mean(x, [1, 2])), dx: values(dx!) };
  });
}

/** A BatchNormalization layer in training mode: output, input/γ/β gradients, moving statistics. */
function batchNormLayerCase(layers: typeof tfl, shape: number[], seed: number): Arrays {
  const layer = layers.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-5 });
  layer.build(shape);
  layer.setWeights([
    tf.add(randomTensor([shape[3]!], seed + 1, 0.5), 1),
    randomTensor([shape[3]!], seed + 2),
    randomTensor([shape[3]!], seed + 3),
    tf.add(randomTensor([shape[3]!], seed + 4, 0.5), 1),
  ]);
  const out: Arrays = tf.tidy(() => {
    // Offset and scaled so the per-channel mean/variance are far from 0/1.
    const x = tf.add(randomTensor(shape, seed, 3), 1.5);
    const dy = randomTensor(shape, seed + 5);
    const [gamma, beta] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const f = () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, dy)) as tf.Scalar;
    const { grads } = tf.variableGrads(f, [gamma!, beta!]);
    const dx = tf.grads((a: tf.Tensor) =>
      tf.sum(tf.mul(layer.apply(a, { training: true }) as tf.Tensor, dy)),
    )([x])[0]!;
    const y = layer.apply(x, { training: true }) as tf.Tensor;
    const inference = layer.apply(x, { training: false }) as tf.Tensor;
    return {
      y: values(y),
      inference: values(inference),
      dx: values(dx),
      dgamma: values(grads[gamma!.name]!),
      dbeta: values(grads[beta!.name]!),
    };
  });
  const [, , movingMean, movingVariance] = layer.getWeights();
  out['movingMean'] = values(movingMean!);
  out['movingVariance'] = values(movingVariance!);
  // Layer.dispose refuses layers never applied symbolically; free the variables directly.
  for (const w of layer.weights) w.dispose();
  return out;
}

/** One SGD step of a tiny ResNet in training mode: loss, every gradient, BN moving statistics. */
function networkStepCase(seed: number): Arrays {
  const model = buildSmallResNet({ seed, inputSize: 12, widths: [4, 8], blocksPerStage: [1, 1] });
  const out = tf.tidy(() => {
    const x = randomTensor([6, 12, 12, 3], seed + 1);
    const head = randomTensor([8, 3], seed + 2);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2], 'int32'), 3);
    const trainable = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => {
      const logits = tf.matMul(model.apply(x, { training: true }) as tf.Tensor2D, head as tf.Tensor2D);
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, trainable);
    const result: Arrays = { loss: values(value) };
    trainable.forEach((v, i) => {
      result[`grad${i}`] = values(grads[v.name]!);
    });
    return result;
  });
  model.getWeights().forEach((w, i) => {
    out[`weight${i}`] = values(w);
  });
  model.dispose();
  return out;
}

describe('native tensorflow backend vs cpu reference', () => {
  it('reports TensorFlow behind it and installs the training kernels', { skip }, async () => {
    const lines: string[] = [];
    const info = await initBackend({ prefer: 'tensorflow', log: (l) => lines.push(l) });
    assert.equal(info.name, 'tensorflow');
    assert.match(info.runtime ?? '', /^TensorFlow \d+\.\d+/);
    assert.ok(tf.getKernel('ShelfsslReluGrad', 'tensorflow'));
    assert.ok(tf.getKernel('ShelfsslFusedBatchNormTraining', 'tensorflow'));
    // The binding patch (list-valued attrs) is in and oneDNN's fused conv passed its probe.
    assert.ok(tf.getKernel(FROZEN_CONV2D, 'tensorflow'), 'oneDNN fused conv not registered');
  });

  it('Conv2D, fused Conv2D (ReLU, linear), frozen conv (+ residual) and both Conv2D gradients: every stride/padding case', {
    skip,
  }, async () => {
    const errors: string[] = [];
    for (const [i, c] of CONV_CASES.entries()) {
      const err = await compareWithCpu(`conv ${JSON.stringify(c)}`, () => convCase(c, 100 + 10 * i));
      errors.push(err.toExponential(1));
    }
    console.log(`conv cases, worst relative error each: ${errors.join(' ')}`);
  });

  it('MatMul (plain, transposed, batched) and its gradients', { skip }, async () => {
    const err = await compareWithCpu('matmul', () => matMulCase(7));
    console.log(`matmul: worst relative error ${err.toExponential(2)}`);
  });

  it('ReLU and its native gradient; max pool 3x3/2 and its gradient; spatial mean', { skip }, async () => {
    const relu = await compareWithCpu('relu', () => reluGradCase(11));
    const pool = await compareWithCpu('pool', () => poolCase(13));
    console.log(`relu: ${relu.toExponential(2)}, pool: ${pool.toExponential(2)}`);
  });

  it('fused training batch norm matches tfjs-layers: output, gradients, moving statistics', {
    skip,
  }, async () => {
    const layers = await import('@tensorflow/tfjs-layers');
    const shapes = [
      [4, 5, 5, 3],
      [8, 4, 4, 16],
      [2, 3, 7, 5],
    ];
    for (const [i, shape] of shapes.entries()) {
      const err = await compareWithCpu(`bn ${shape}`, () => batchNormLayerCase(layers, shape, 40 + i));
      console.log(`batch norm ${shape.join('x')}: worst relative error ${err.toExponential(2)}`);
    }
  });

  it('a whole training step of a tiny ResNet: loss and every gradient', { skip }, async () => {
    const err = await compareWithCpu('network', () => networkStepCase(3));
    console.log(`tiny ResNet step: worst relative error ${err.toExponential(2)}`);
  });

  it('ResNet-50 inference at 32 px (7x7/2 stem, max pool, bottlenecks, inference BN)', { skip }, async () => {
    const run = (): Arrays => {
      const model = buildResNet50({ seed: 5, inputSize: 32 });
      const features = tf.tidy(() => values(model.predict(randomTensor([2, 32, 32, 3], 9)) as tf.Tensor));
      model.dispose();
      return { features };
    };
    const err = await compareWithCpu('resnet50', run);
    console.log(`ResNet-50 features: relative error ${err.toExponential(2)}`);
  });

  it('an op failing inside its kernel is reported, and later ops still run (async executor recovers)', {
    skip,
  }, async () => {
    await initBackend({ prefer: 'tensorflow', log: () => {} });
    const table = tf.tensor1d([1, 2, 3]);
    // CheckNumerics fails inside its kernel (tfjs validates nothing about it): with async execution the
    // error arrives when the result is read, not when the op is called.
    const native = asNativeBackend(tf.backend());
    const check = () => {
      const attrs = [floatTypeAttr(native, 'T'), stringAttr(native, 'message', 'shelfssl-probe')];
      const out = native.executeSingleOutput('CheckNumerics', attrs, [tf.tensor1d([1, Number.NaN])]);
      return tf.engine().makeTensorFromTensorInfo(out).dataSync();
    };
    assert.throws(check, /shelfssl-probe/);
    const sum = tf.add(table, tf.reshape(tf.tile(table, [2]), [2, 3]));
    assert.deepEqual(sum.shape, [2, 3], 'shape from TensorFlow shape inference');
    assert.deepEqual(Array.from(sum.dataSync()), [2, 4, 6, 2, 4, 6]);
  });

  it('a tensor made from a JavaScript array outlives the array (copied, not shared)', { skip }, async () => {
    await initBackend({ prefer: 'tensorflow', log: () => {} });
    const data = new Float32Array([1, 2, 3, 4]);
    const x = tf.tensor1d(data);
    const doubled = tf.mul(x, 2);
    data.fill(-1);
    assert.deepEqual(Array.from(doubled.dataSync()), [2, 4, 6, 8]);
    tf.dispose([x, doubled]);
  });

  it('falls back to tfjs stock gradients on other backends (the hooks are backend-scoped)', {
    skip,
  }, async () => {
    await initBackend({ prefer: 'cpu', log: () => {} });
    const [dx] = tf.grads((a: tf.Tensor) => tf.sum(tf.relu(a)))([tf.tensor1d([-1, 2])]);
    assert.deepEqual(Array.from(values(dx!)), [0, 1]);
  });
});
