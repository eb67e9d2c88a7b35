import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { headFromJson, headToJson } from '../../activities/stages/support/head-file.js';
import { stratifiedFolds, usableFolds } from '../../ml/head/cross-validation.js';
import {
  featureMoments,
  HEAD_FIT_DEFAULTS,
  headToTfjsModelFiles,
  loadTfjsModelFiles,
  predictHead,
  trainLinearHead,
  trainSemiSupervisedHead,
} from '../../ml/head/index.js';
import { standardisedDesign } from '../../ml/head/linear-head.js';
import { softmaxLossAndGradient, softmaxProblem } from '../../ml/head/softmax-objective.js';
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

test('linear head separates separable clusters (> 0.95 on held-out data) and converges', () => {
  const train = clusters(400, 16, 4, 4, 1);
  const testSet = clusters(400, 16, 4, 4, 2);
  const result = trainLinearHead({ ...train, dim: 16, classes: 4, seed: 3 });
  const predicted = predictHead(result.head, testSet.features);
  const acc = accuracy(testSet.labels, predicted.labels);
  console.log(
    `head: accuracy ${acc.toFixed(3)}, λ ${result.l2}, ${result.iterations} L-BFGS iterations, ` +
      `|g|∞ ${result.gradientNorm.toExponential(1)} in ${result.trainMs.toFixed(0)} ms`,
  );
  assert.ok(acc > 0.95, `accuracy ${acc}`);
  assert.ok(result.converged, `stopped at |g|∞ = ${result.gradientNorm}`);
  assert.ok(result.gradientNorm <= HEAD_FIT_DEFAULTS.tolerance);
  assert.equal(result.choice.folds, 5);
  assert.equal(result.choice.scores.length, HEAD_FIT_DEFAULTS.l2Grid.length);
  const rowSum = predicted.probs.slice(0, 4).reduce((a, v) => a + v, 0);
  assert.ok(Math.abs(rowSum - 1) < 1e-5);
  const again = trainLinearHead({ ...train, dim: 16, classes: 4, seed: 3 });
  assert.deepEqual(again.head.weights, result.head.weights, 'same seed, same head');
});

test('the analytic gradient matches finite differences (so "converged" means a true optimum)', () => {
  const data = clusters(30, 5, 3, 2, 11);
  const { mean, std } = featureMoments(data.features, 5);
  const x = standardisedDesign(data.features, mean, std);
  const problem = softmaxProblem({
    x,
    y: data.labels,
    rowWeight: new Float64Array(30).fill(1),
    dim: 5,
    classes: 3,
  });
  const l2 = 0.05;
  const rng = createRng(12);
  const theta = Float64Array.from({ length: 18 }, () => rng.normal());
  const grad = new Float64Array(18);
  softmaxLossAndGradient(problem, l2, theta, grad);
  const scratch = new Float64Array(18);
  for (let k = 0; k < 18; k++) {
    const h = 1e-6;
    const plus = Float64Array.from(theta);
    const minus = Float64Array.from(theta);
    plus[k] = (plus[k] ?? 0) + h;
    minus[k] = (minus[k] ?? 0) - h;
    const numeric =
      (softmaxLossAndGradient(problem, l2, plus, scratch) -
        softmaxLossAndGradient(problem, l2, minus, scratch)) /
      (2 * h);
    assert.ok(Math.abs(numeric - (grad[k] ?? 0)) < 1e-6, `∂f/∂θ${k}: ${numeric} vs ${grad[k]}`);
  }
});

test('cross-validation picks the strongest penalty for labels unrelated to the features, a weak one for clean clusters', () => {
  const rng = createRng(4);
  const noise = clusters(200, 32, 2, 0, 5);
  const labels = Int32Array.from(noise.labels, () => rng.int(2));
  const settings = { l2Grid: [1e-4, 1e-2, 1] };
  const noisy = trainLinearHead({ features: noise.features, labels, dim: 32, classes: 2, seed: 1, settings });
  assert.equal(noisy.l2, 1);
  const clean = clusters(200, 8, 2, 6, 6);
  const separable = trainLinearHead({ ...clean, dim: 8, classes: 2, seed: 1, settings });
  assert.ok(separable.l2 < 1, `λ ${separable.l2}`);
  assert.ok(noisy.converged && separable.converged);
});

test('stratified folds keep class proportions, are seeded, and shrink to the smallest class', () => {
  const labels = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : i < 97 ? 1 : 2));
  const a = stratifiedFolds(labels, 3, 5, createRng(1));
  assert.deepEqual(a, stratifiedFolds(labels, 3, 5, createRng(1)));
  for (let f = 0; f < 5; f++) {
    assert.equal([...a].filter((fold, i) => fold === f && labels[i] === 0).length, 16);
  }
  assert.equal(usableFolds(labels, 3, 5), 3);
  assert.equal(usableFolds(Int32Array.from([0, 0, 1, 2, 2]), 3, 5), 0);
  const tiny = trainLinearHead({
    features: clusters(5, 4, 3, 3, 1).features,
    labels: Int32Array.from([0, 0, 1, 2, 2]),
    dim: 4,
    classes: 3,
    seed: 1,
  });
  assert.equal(tiny.choice.folds, 0);
  assert.equal(tiny.l2, HEAD_FIT_DEFAULTS.l2Fallback);
});

test('a small sample (the 10 % regime) is fitted to convergence, not stopped after a few dozen steps', () => {
  const labelled = clusters(145, 128, 5, 1.5, 13);
  const result = trainLinearHead({ ...labelled, dim: 128, classes: 5, seed: 1 });
  assert.ok(result.converged, `|g|∞ ${result.gradientNorm} after ${result.iterations} iterations`);
  const truncated = trainLinearHead({
    ...labelled,
    dim: 128,
    classes: 5,
    seed: 1,
    settings: { l2Grid: [result.l2], maxIterations: 10 },
  });
  assert.ok(!truncated.converged || truncated.iterations === result.iterations);
  assert.ok(truncated.loss >= result.loss - 1e-12, `${truncated.loss} < ${result.loss}`);
});

test('semi-supervised head refits on pseudo-labels from a converged teacher and does not fall below the supervised one', () => {
  const labelled = clusters(40, 8, 4, 3, 6);
  const pool = clusters(800, 8, 4, 3, 7);
  const testSet = clusters(400, 8, 4, 3, 8);
  const result = trainSemiSupervisedHead({
    ...labelled,
    dim: 8,
    classes: 4,
    seed: 2,
    unlabelledFeatures: pool.features,
    settings: { pseudoThreshold: 0.9, pseudoRounds: 2 },
  });
  assert.equal(result.rounds.length, 2);
  assert.ok((result.rounds[0]?.pseudoLabelled ?? 0) > 0);
  assert.equal(
    result.rounds[0]?.perClass.reduce((a, v) => a + v, 0),
    result.rounds[0]?.pseudoLabelled,
  );
  assert.ok(result.supervised.converged && result.rounds.every((r) => r.converged));
  assert.equal(result.l2, result.supervised.l2);
  const semi = accuracy(testSet.labels, predictHead(result.head, testSet.features).labels);
  const sup = accuracy(testSet.labels, predictHead(result.supervised.head, testSet.features).labels);
  console.log(
    `semi-supervised: pseudo-labels per round ${result.rounds.map((r) => r.pseudoLabelled).join('/')}, ` +
      `accuracy ${sup.toFixed(3)} → ${semi.toFixed(3)}`,
  );
  assert.ok(semi >= sup - 0.01, `semi ${semi} < supervised ${sup}`);
});

test('a semi-supervised head built on its stored supervised teacher equals one that fits the teacher itself', () => {
  const labelled = clusters(60, 8, 4, 2, 16);
  const options = {
    ...labelled,
    dim: 8,
    classes: 4,
    seed: 5,
    unlabelledFeatures: clusters(300, 8, 4, 2, 17).features,
  };
  const teacher = trainLinearHead(options);
  // What the pipeline stores and reads back: head.json holds float32 values as JSON numbers.
  const stored = { ...teacher, head: headFromJson(JSON.parse(JSON.stringify(headToJson(teacher.head)))) };
  const reused = trainSemiSupervisedHead(options, stored);
  const own = trainSemiSupervisedHead(options);
  assert.deepEqual(reused.head, own.head);
  assert.deepEqual(reused.rounds, own.rounds);
  assert.equal(reused.l2, own.l2);
});

test('exported TensorFlow.js model takes raw features and predicts what predictHead does', async () => {
  const train = clusters(120, 6, 3, 3, 9);
  const { head } = trainLinearHead({ ...train, dim: 6, classes: 3, seed: 4 });
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
