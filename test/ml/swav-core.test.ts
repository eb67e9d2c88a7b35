import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { createRng, deriveSeed, normalArray, permutation, restoreRng } from '../../ml/random.js';
import { EmbeddingQueue, lrAt, sinkhornKnopp, swavLoss } from '../../ml/swav/index.js';

/** The paper's Sinkhorn settings (SwavParams' defaults). */
const SWAV_SINKHORN = { epsilon: 0.05, iterations: 3 };

await tf.setBackend('cpu');

function randomScores(b: number, k: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: b }, () => Array.from({ length: k }, () => rng.uniform(-1, 1)));
}

/** The paper's algorithm written out in float64, as the reference. */
function referenceSinkhorn(scores: number[][], eps: number, iterations: number): number[][] {
  const b = scores.length;
  const k = scores[0]?.length ?? 0;
  let q = Array.from({ length: k }, (_, p) => scores.map((row) => Math.exp((row[p] ?? 0) / eps)));
  const total = q.flat().reduce((a, v) => a + v, 0);
  q = q.map((row) => row.map((v) => v / total));
  for (let it = 0; it < iterations; it++) {
    q = q.map((row) => {
      const s = row.reduce((a, v) => a + v, 0);
      return row.map((v) => v / s / k);
    });
    const colSums = Array.from({ length: b }, (_, j) => q.reduce((a, row) => a + (row[j] ?? 0), 0));
    q = q.map((row) => row.map((v, j) => v / (colSums[j] ?? 1) / b));
  }
  return Array.from({ length: b }, (_, j) => q.map((row) => (row[j] ?? 0) * b));
}

function columnSums(m: number[][]): number[] {
  return (m[0] ?? []).map((_, j) => m.reduce((a, row) => a + (row[j] ?? 0), 0));
}

test('sinkhornKnopp matches the paper algorithm (float64 reference) to 1e-5', () => {
  const scores = randomScores(12, 5, 1);
  const expected = referenceSinkhorn(scores, 0.05, 3);
  const actual = sinkhornKnopp(tf.tensor2d(scores), SWAV_SINKHORN).arraySync();
  actual.forEach((row, i) => {
    row.forEach((v, j) => {
      assert.ok(Math.abs(v - (expected[i]?.[j] ?? 0)) < 1e-5);
    });
  });
});

test('sinkhornKnopp marginals: rows sum to 1; column sums reach B/K (within 1e-3 once converged)', () => {
  const b = 32;
  const k = 8;
  const scores = tf.tensor2d(randomScores(b, k, 2));
  // Any number of iterations: the last step normalises samples, so each row is a distribution.
  const three = sinkhornKnopp(scores, SWAV_SINKHORN).arraySync();
  for (const row of three) assert.ok(Math.abs(row.reduce((a, v) => a + v, 0) - 1) < 1e-5);
  // Prototype marginals are exactly B/K before that last step; with more rounds they converge to it.
  const converged = sinkhornKnopp(scores, { ...SWAV_SINKHORN, iterations: 100 }).arraySync();
  for (const s of columnSums(converged)) assert.ok(Math.abs(s - b / k) < 1e-3, `column sum ${s}`);
  for (const row of converged) assert.ok(Math.abs(row.reduce((a, v) => a + v, 0) - 1) < 1e-5);
});

test('sinkhornKnopp: uniform scores give uniform targets; extreme scores / eps stay finite', () => {
  const uniform = sinkhornKnopp(tf.fill([6, 4], 0.3) as tf.Tensor2D, SWAV_SINKHORN).arraySync();
  for (const row of uniform) for (const v of row) assert.ok(Math.abs(v - 0.25) < 1e-6);
  // Scores spanning ±50 at eps 0.05 is ±1000 nats: exp() alone would underflow to 0/0.
  const huge = sinkhornKnopp(
    tf.mul(tf.tensor2d(randomScores(6, 4, 3)), 50) as tf.Tensor2D,
    SWAV_SINKHORN,
  ).arraySync();
  for (const row of huge) {
    assert.ok(row.every(Number.isFinite));
    assert.ok(Math.abs(row.reduce((a, v) => a + v, 0) - 1) < 1e-5);
  }
});

test('swavLoss: codes of view 0 predicted from view 1 and vice versa, averaged (hand-computed)', () => {
  const s0 = [
    [0.5, -0.5],
    [0.1, 0.2],
  ];
  const s1 = [
    [0.3, 0.0],
    [-0.2, 0.4],
  ];
  const q0 = [
    [1, 0],
    [0.5, 0.5],
  ];
  const q1 = [
    [0.2, 0.8],
    [0, 1],
  ];
  const ce = (q: number[][], s: number[][]) =>
    q.reduce((acc, qRow, i) => {
      const logits = (s[i] ?? []).map((v) => v / 0.1);
      const lse = Math.log(logits.reduce((a, v) => a + Math.exp(v), 0));
      return acc - qRow.reduce((a, qv, j) => a + qv * ((logits[j] ?? 0) - lse), 0);
    }, 0) / q.length;
  const expected = (ce(q0, s1) + ce(q1, s0)) / 2;
  const actual = swavLoss([tf.tensor2d(s0), tf.tensor2d(s1)], [tf.tensor2d(q0), tf.tensor2d(q1)], 0.1);
  assert.ok(Math.abs((actual.dataSync()[0] ?? 0) - expected) < 1e-5);
});

test('lrAt: linear warm-up, cosine to the final rate', () => {
  const s = { baseLr: 0.6, finalLr: 0.0006, warmupSteps: 10, totalSteps: 110 };
  assert.equal(lrAt(0, s), 0);
  assert.ok(Math.abs(lrAt(5, s) - 0.3) < 1e-12);
  assert.ok(Math.abs(lrAt(10, s) - 0.6) < 1e-12);
  assert.ok(Math.abs(lrAt(60, s) - (0.0006 + 0.5 * (0.6 - 0.0006))) < 1e-12);
  assert.ok(Math.abs(lrAt(110, s) - 0.0006) < 1e-12);
  assert.ok(Math.abs(lrAt(500, s) - 0.0006) < 1e-12);
});

test('EmbeddingQueue keeps the newest rows first and becomes ready once full', () => {
  const queue = EmbeddingQueue.empty(1, 3, 2);
  queue.push(0, Float32Array.from([1, 1, 2, 2]));
  assert.equal(queue.ready, false);
  queue.push(0, Float32Array.from([3, 3]));
  assert.equal(queue.ready, true);
  assert.deepEqual([...queue.embeddings(0).dataSync()], [3, 3, 1, 1, 2, 2]);
  queue.push(0, Float32Array.from([4, 4, 5, 5]));
  assert.deepEqual([...queue.getState().rows[0]!], [4, 4, 5, 5, 3, 3]);
});

test('rng: seeded, restorable mid-stream, sane normal and permutation', () => {
  const a = createRng(42);
  const b = createRng(42);
  const first = [a.next(), a.next(), a.next()];
  assert.deepEqual(first, [b.next(), b.next(), b.next()]);
  assert.notDeepEqual(first, [createRng(43).next(), createRng(43).next(), createRng(43).next()]);
  const saved = a.state();
  const continued = [a.next(), a.int(10), a.normal()];
  const resumed = restoreRng(JSON.parse(JSON.stringify(saved)));
  assert.deepEqual([resumed.next(), resumed.int(10), resumed.normal()], continued);
  const samples = normalArray(20000, createRng(1));
  const mean = samples.reduce((s, v) => s + v, 0) / samples.length;
  const variance = samples.reduce((s, v) => s + (v - mean) ** 2, 0) / (samples.length - 1);
  assert.ok(Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05);
  assert.deepEqual(
    [...permutation(50, createRng(5))].sort((x, y) => x - y),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.notEqual(deriveSeed(1, 0), deriveSeed(1, 1));
});
