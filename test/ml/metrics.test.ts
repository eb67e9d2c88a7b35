import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import {
  accuracy,
  classificationReport,
  confusionMatrix,
  formatMeanStd,
  knnAccuracy,
  meanStd,
} from '../../ml/metrics/index.js';

await tf.setBackend('cpu');

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} ≠ ${b}`);

// truth:      0 0 0 1 1 2
// prediction: 0 1 0 1 2 2
const yTrue = [0, 0, 0, 1, 1, 2];
const yPred = [0, 1, 0, 1, 2, 2];

test('accuracy and confusion matrix (hand-computed)', () => {
  close(accuracy(yTrue, yPred), 4 / 6);
  assert.deepEqual(confusionMatrix(yTrue, yPred, 3), [
    [2, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ]);
  assert.throws(() => confusionMatrix([3], [0], 3));
});

test('per-class precision, recall, F1, support and macro averages (hand-computed)', () => {
  const r = classificationReport(yTrue, yPred, 3);
  // class 0: tp 2, predicted 2, support 3 → p 1, r 2/3, f1 0.8
  // class 1: tp 1, predicted 2, support 2 → p 1/2, r 1/2, f1 1/2
  // class 2: tp 1, predicted 2, support 1 → p 1/2, r 1, f1 2/3
  const expected = [
    [1, 2 / 3, 0.8, 3],
    [0.5, 0.5, 0.5, 2],
    [0.5, 1, 2 / 3, 1],
  ];
  r.perClass.forEach((s, c) => {
    const [p, rec, f1, support] = expected[c] ?? [];
    close(s.precision, p ?? Number.NaN);
    close(s.recall, rec ?? Number.NaN);
    close(s.f1, f1 ?? Number.NaN);
    assert.equal(s.support, support);
  });
  close(r.macro.precision, 2 / 3);
  close(r.macro.recall, (2 / 3 + 0.5 + 1) / 3);
  close(r.macro.f1, (0.8 + 0.5 + 2 / 3) / 3);
  // A class never predicted and never present scores 0 rather than NaN.
  const empty = classificationReport([0, 1], [0, 1], 3);
  assert.deepEqual(empty.perClass[2], { precision: 0, recall: 0, f1: 0, support: 0 });
});

test('mean ± sample std over seeds', () => {
  const s = meanStd([0.8, 0.9, 1.0]);
  close(s.mean, 0.9);
  close(s.std, 0.1); // sqrt((0.01 + 0 + 0.01) / 2)
  assert.equal(formatMeanStd(s, 2), '0.90 ± 0.10');
  assert.deepEqual(meanStd([0.5]), { mean: 0.5, std: 0, n: 1 });
  assert.ok(Number.isNaN(meanStd([]).mean));
});

test('kNN accuracy with cosine similarity (hand-checked points)', () => {
  // Class 0 points along +x, class 1 along +y; magnitudes differ to show only direction matters.
  const trainFeatures = Float32Array.from([1, 0.1, 10, 0.5, 2, -0.1, 0.1, 1, 0.2, 5, -0.1, 3]);
  const trainLabels = Int32Array.from([0, 0, 0, 1, 1, 1]);
  // (0.9, 1) points among class 1, (100, 1) along class 0; (1, 3) is labelled 0 but lies among class 1: a miss.
  const testFeatures = Float32Array.from([0.9, 1, 100, 1, 1, 3]);
  const testLabels = Int32Array.from([1, 0, 0]);
  const k1 = knnAccuracy({ trainFeatures, trainLabels, testFeatures, testLabels, dim: 2, classes: 2, k: 1 });
  assert.deepEqual([...k1.predictions], [1, 0, 1]);
  close(k1.accuracy, 2 / 3);
  // k = 3 with chunking of one row at a time gives the same votes here.
  const k3 = knnAccuracy({
    trainFeatures,
    trainLabels,
    testFeatures,
    testLabels,
    dim: 2,
    classes: 2,
    k: 3,
    chunk: 1,
  });
  assert.deepEqual([...k3.predictions], [1, 0, 1]);
});
