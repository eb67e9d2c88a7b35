import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  headToTfjsModelFiles,
  loadTfjsModelFiles,
  predictHead,
  stratifiedSplit,
  trainLinearHead,
  trainSemiSupervisedHead,
} from '../../ml/head/index.js';
import { accuracy } from '../../ml/metrics/index.js';
import { createRng } from '../../ml/random.js';

await tf.setBackend('cpu');

/** Gaussian clusters: class c centred at `spread`·e_c (plus an offset and scale per feature to standardise away). */
function clusters(n: number, dim: number, classes: number, spread: number, seed: number) {
  const rng = createRng(seed);
  const features = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = i % classes;
    labels[i] = label;
    for (let j = 0; j < dim; j++) {
      const centre = j === label ? spread : 0;
      features[i * dim + j] = 5 + 3 * (j + 1) * (centre + rng.normal());
    }
  }
  return { features, labels };
}

test('linear head separates separable clusters (> 0.95 on held-out data)', () => {
  const train = clusters(400, 16, 4, 4, 1);
  const testSet = clusters(400, 16, 4, 4, 2);
  const result = trainLinearHead({ ...train, dim: 16, classes: 4, seed: 3, epochs: 30, batchSize: 64 });
  const predicted = predictHead(result.head, testSet.features);
  const acc = accuracy(testSet.labels, predicted.labels);
  console.log(
    `head: accuracy ${acc.toFixed(3)}, ${result.epochsRun} epochs in ${result.trainMs.toFixed(0)} ms`,
  );
  assert.ok(acc > 0.95, `accuracy ${acc}`);
  assert.equal(result.valIndices.length, 40);
  const rowSum = predicted.probs.slice(0, 4).reduce((a, v) => a + v, 0);
  assert.ok(Math.abs(rowSum - 1) < 1e-5);
  const again = trainLinearHead({ ...train, dim: 16, classes: 4, seed: 3, epochs: 30, batchSize: 64 });
  assert.deepEqual(again.head.weights, result.head.weights, 'same seed, same head');
});

test('early stopping ends training once validation loss stops improving, keeping the best epoch', () => {
  // Labels unrelated to features: validation loss can only get worse once the head starts memorising.
  const rng = createRng(4);
  const noise = clusters(200, 32, 2, 0, 5);
  const labels = Int32Array.from(noise.labels, () => rng.int(2));
  const result = trainLinearHead({
    features: noise.features,
    labels,
    dim: 32,
    classes: 2,
    seed: 1,
    epochs: 500,
    patience: 5,
    valShare: 0.3,
    lr: 0.5,
  });
  assert.ok(result.epochsRun < 500, `ran all ${result.epochsRun} epochs`);
  assert.equal(result.epochsRun, result.bestEpoch + 5);
  const bestLoss = result.history[result.bestEpoch - 1]?.valLoss ?? Number.NaN;
  assert.ok(result.history.every((h) => h.valLoss >= bestLoss));
});

test('stratified split keeps class proportions and is seeded', () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : i < 99 ? 1 : 2));
  const a = stratifiedSplit(labels, 3, 0.1, createRng(1));
  const b = stratifiedSplit(labels, 3, 0.1, createRng(1));
  assert.deepEqual(a, b);
  const count = (idx: Int32Array, c: number) => [...idx].filter((i) => labels[i] === c).length;
  assert.deepEqual([count(a.val, 0), count(a.val, 1), count(a.val, 2)], [8, 2, 0]);
  assert.equal(a.train.length + a.val.length, 100);
});

test('semi-supervised head uses pseudo-labels and does not fall below the supervised one', () => {
  const labelled = clusters(40, 8, 4, 3, 6);
  const pool = clusters(800, 8, 4, 3, 7);
  const testSet = clusters(400, 8, 4, 3, 8);
  const result = trainSemiSupervisedHead({
    ...labelled,
    dim: 8,
    classes: 4,
    seed: 2,
    epochs: 60,
    batchSize: 32,
    valShare: 0.25,
    unlabelledFeatures: pool.features,
    threshold: 0.9,
    rounds: 2,
  });
  assert.equal(result.rounds.length, 3);
  assert.equal(result.rounds[0]?.pseudoLabelled, 0);
  assert.ok((result.rounds[1]?.pseudoLabelled ?? 0) > 0);
  assert.equal(
    result.rounds[1]?.perClass.reduce((a, v) => a + v, 0),
    result.rounds[1]?.pseudoLabelled,
  );
  const semi = accuracy(testSet.labels, predictHead(result.head, testSet.features).labels);
  const sup = accuracy(testSet.labels, predictHead(result.supervised.head, testSet.features).labels);
  console.log(
    `semi-supervised: pseudo-labels per round ${result.rounds.map((r) => r.pseudoLabelled).join('/')}, ` +
      `accuracy ${sup.toFixed(3)} → ${semi.toFixed(3)} (round ${result.chosenRound})`,
  );
  assert.ok(semi >= sup - 0.01, `semi ${semi} < supervised ${sup}`);
});

test('exported TensorFlow.js model takes raw features and predicts what predictHead does', async () => {
  const train = clusters(120, 6, 3, 3, 9);
  const { head } = trainLinearHead({ ...train, dim: 6, classes: 3, seed: 4, epochs: 20 });
  const files = await headToTfjsModelFiles(head);
  assert.equal(files.weightsBin.byteLength, (6 * 3 + 3) * 4);
  const json = JSON.parse(JSON.stringify(files.modelJson));
  assert.equal(json.format, 'layers-model');
  assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
  const model = await loadTfjsModelFiles({ modelJson: json, weightsBin: files.weightsBin });
  const probe = clusters(30, 6, 3, 3, 10).features;
  const fromModel = (model.predict(tf.tensor2d(probe, [30, 6])) as tf.Tensor).dataSync();
  const expected = predictHead(head, probe).probs;
  let maxDiff = 0;
  expected.forEach((v, i) => {
    maxDiff = Math.max(maxDiff, Math.abs(v - (fromModel[i] ?? 0)));
  });
  assert.ok(maxDiff < 1e-5, `max |Δp| = ${maxDiff}`);
});
