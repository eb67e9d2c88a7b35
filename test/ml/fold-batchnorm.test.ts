import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { buildResNet50, buildSmallResNet, extractFeatures } from '../../ml/models/index.js';
import { compileFrozenInference, initBackend } from '../../runtime/index.js';
import { relativeError } from '../support/numeric.js';

/** Fresh builds have identity BN statistics; give every BN non-trivial ones so folding is exercised. */
function randomizeBatchNorms(model: tfl.LayersModel, seed: number): void {
  let s = seed;
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'BatchNormalization') continue;
    // getWeights hands out the variables' own tensors: read, never dispose.
    const n = (layer.getWeights()[0] as tf.Tensor1D).shape[0];
    const fresh = [
      tf.randomUniform([n], 0.5, 1.5, 'float32', s++),
      tf.randomNormal([n], 0, 0.2, 'float32', s++),
      tf.randomNormal([n], 0, 0.2, 'float32', s++),
      tf.randomUniform([n], 0.5, 2, 'float32', s++),
    ];
    layer.setWeights(fresh);
    tf.dispose(fresh);
  }
}

/** max |a - b| / max |b|: rounding noise relative to the feature scale. */
const CASES: { name: string; build: () => tfl.LayersModel; size: number; batch: number }[] = [
  { name: 'small ResNet (default widths)', build: () => buildSmallResNet({ seed: 3 }), size: 32, batch: 4 },
  {
    name: 'small ResNet (narrow, 1 block/stage, 48 px)',
    build: () =>
      buildSmallResNet({ seed: 4, inputSize: 48, widths: [8, 16, 24, 40], blocksPerStage: [1, 1, 1, 1] }),
    size: 48,
    batch: 3,
  },
  { name: 'ResNet-50 at 64 px', build: () => buildResNet50({ seed: 5, inputSize: 64 }), size: 64, batch: 2 },
];

/** The shared error measure, on tensors. */
function relativeTensorError(actual: tf.Tensor, expected: tf.Tensor): number {
  return relativeError(actual.dataSync(), expected.dataSync());
}

for (const prefer of ['cpu', 'default'] as const) {
  describe(`compileFrozenInference on ${prefer} backend`, () => {
    it('matches model.predict within 1e-4 relative', async (t) => {
      const backend =
        prefer === 'cpu'
          ? await initBackend({ prefer: 'cpu', log: () => {} })
          : await initBackend({ log: () => {} });
      if (prefer === 'cpu') assert.equal(backend.name, 'cpu');
      for (const [i, c] of CASES.entries()) {
        const model = c.build();
        randomizeBatchNorms(model, 100 * (i + 1));
        const compiled = compileFrozenInference(model);
        assert.ok(compiled !== undefined, `${c.name} should compile`);
        const x = tf.randomNormal([c.batch, c.size, c.size, 3], 0, 1, 'float32', 7 + i) as tf.Tensor4D;
        const before = tf.memory().numTensors;
        const got = compiled(x);
        assert.equal(tf.memory().numTensors, before + 1, `${c.name}: compiled pass leaks tensors`);
        const want = model.predict(x) as tf.Tensor;
        assert.deepEqual(got.shape, want.shape);
        const err = relativeTensorError(got, want);
        t.diagnostic(`${c.name} on ${backend.name}: relative error ${err.toExponential(2)}`);
        assert.ok(err < 1e-4, `${c.name} on ${backend.name}: relative error ${err}`);
        tf.dispose([x, got, want]);
        compiled.dispose();
        model.dispose();
      }
    });
  });
}

// The native backend caches each frozen filter inside TensorFlow's kernels: two models of the same
// architecture alive together, a batch size change and a recompile after dispose must each still
// see their own weights.
describe('compileFrozenInference with several models of one architecture', () => {
  it('each compiled model matches its own predict, across batch sizes and recompiles', async (t) => {
    const backend = await initBackend({ log: () => {} });
    const build = (seed: number) => {
      const model = buildSmallResNet({ seed, inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1] });
      randomizeBatchNorms(model, seed * 10);
      return model;
    };
    const [a, b] = [build(21), build(22)];
    const check = (
      model: tfl.LayersModel,
      compiled: (x: tf.Tensor4D) => tf.Tensor,
      batch: number,
      seed: number,
    ) => {
      const x = tf.randomNormal([batch, 16, 16, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
      const [got, want] = [compiled(x), model.predict(x) as tf.Tensor];
      const err = relativeTensorError(got, want);
      tf.dispose([x, got, want]);
      return err;
    };
    const errors: number[] = [];
    const ca = compileFrozenInference(a)!;
    const cb = compileFrozenInference(b)!;
    for (const [i, batch] of [4, 3, 4].entries()) {
      errors.push(check(a, ca, batch, 40 + i), check(b, cb, batch, 50 + i));
    }
    ca.dispose();
    errors.push(check(b, cb, 2, 60));
    const again = compileFrozenInference(a)!;
    errors.push(check(a, again, 2, 61));
    again.dispose();
    cb.dispose();
    t.diagnostic(`on ${backend.name}: worst relative error ${Math.max(...errors).toExponential(2)}`);
    for (const err of errors) assert.ok(err < 1e-4, `relative error ${err} (a stale cached filter?)`);
    a.dispose();
    b.dispose();
  });
});

describe('compileFrozenInference fallback', () => {
  it('returns undefined for unsupported layers, and extractFeatures still works', async () => {
    await initBackend({ prefer: 'cpu', log: () => {} });
    const input = tfl.input({ shape: [8, 8, 3] });
    const dense = tfl.layers
      .dense({ units: 4 })
      .apply(tfl.layers.flatten().apply(input)) as tfl.SymbolicTensor;
    const model = tfl.model({ inputs: input, outputs: dense });
    assert.equal(compileFrozenInference(model), undefined);
    const images = new Uint8Array(2 * 8 * 8 * 3).map((_, i) => (i * 37) % 256);
    const features = await extractFeatures(model, images, 2, 8, 8, 3, 2);
    assert.equal(features.length, 8);
    model.dispose();
  });
});
