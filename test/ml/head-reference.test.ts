// The linear evaluation against an independent implementation: scikit-learn's LogisticRegression (Debian's
// python3-sklearn) fitted on the same features and the same labelled samples must agree with shelfssl's head
// within 1 accuracy point at 10 % and 100 % labels, and reach the same optimum of the same objective.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findFashionMnist, loadFashionMnist } from '../../data/fashion-mnist.js';
import { encodeNpy } from '../../data/npy.js';
import { nestedStratifiedSample } from '../../data/sampling.js';
import {
  HEAD_FIT_DEFAULTS,
  predictHead,
  trainLinearHead,
  trainSemiSupervisedHead,
} from '../../ml/head/index.js';
import { accuracy } from '../../ml/metrics/index.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../../test/reference/linear_probe.py', import.meta.url));
const CLASSES = [0, 2, 3, 4, 6]; // the demo's look-alike garments: t-shirt, pullover, dress, coat, shirt
const POOL = 4; // 28×28 → 7×7 mean-pooled pixels: 49 real-image features with plenty of class overlap

interface Features {
  x: Float32Array;
  y: Int32Array;
  n: number;
}

function pooledGarments(images: Uint8Array, labels: Uint8Array, count: number, limit: number): Features {
  const side = 28 / POOL;
  const dim = side * side;
  const rows: number[] = [];
  for (let i = 0; i < count && rows.length < limit; i++) if (CLASSES.includes(labels[i] ?? -1)) rows.push(i);
  const x = new Float32Array(rows.length * dim);
  rows.forEach((img, r) => {
    for (let p = 0; p < 28 * 28; p++) {
      const cell = Math.floor(Math.floor(p / 28) / POOL) * side + Math.floor((p % 28) / POOL);
      x[r * dim + cell] = (x[r * dim + cell] ?? 0) + (images[img * 784 + p] ?? 0) / (POOL * POOL * 255);
    }
  });
  const y = Int32Array.from(rows, (img) => CLASSES.indexOf(labels[img] ?? -1));
  return { x, y, n: rows.length };
}

function rowsOf(f: Features, dim: number, idx: number[]): Features {
  const x = new Float32Array(idx.length * dim);
  idx.forEach((row, k) => {
    x.set(f.x.subarray(row * dim, (row + 1) * dim), k * dim);
  });
  return { x, y: Int32Array.from(idx, (row) => f.y[row] ?? 0), n: idx.length };
}

const DIM = (28 / POOL) ** 2;
let dir = '';
let skip: string | false = false;
let pool: Features;
let held: Features;
let unlabelled: Features;

before(async () => {
  const fm = findFashionMnist();
  if (!fm) skip = 'Debian dataset-fashion-mnist not installed';
  else if (!existsSync(PYTHON)) skip = `${PYTHON} missing`;
  else {
    try {
      execFileSync(PYTHON, ['-c', 'import sklearn']);
    } catch {
      skip = 'python3-sklearn not installed (infra/setup-machine.sh installs it)';
    }
  }
  if (skip) return;
  dir = await mkdtemp(path.join(os.tmpdir(), 'shelfssl-head-ref-'));
  const train = await loadFashionMnist(fm ?? undefined, 'train');
  const t10k = await loadFashionMnist(fm ?? undefined, 't10k');
  const all = pooledGarments(train.images, train.labels, train.count, 4500);
  pool = rowsOf(
    all,
    DIM,
    Array.from({ length: 1500 }, (_, i) => i),
  );
  unlabelled = rowsOf(
    all,
    DIM,
    Array.from({ length: 3000 }, (_, i) => 1500 + i),
  );
  held = pooledGarments(t10k.images, t10k.labels, t10k.count, 1000);
});

after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

for (const fraction of [10, 100]) {
  test(`${fraction} % labels: shelfssl's head and scikit-learn agree within 1 accuracy point`, async (t) => {
    if (skip) return t.skip(skip);
    const ids = Array.from({ length: pool.n }, (_, i) => ({ id: String(i), label: pool.y[i] ?? 0 }));
    for (const seed of [1, 2]) {
      const sample = (nestedStratifiedSample(ids, [fraction], seed)[String(fraction)] ?? []).map(Number);
      const train = rowsOf(pool, DIM, sample);
      const ours = trainLinearHead({ features: train.x, labels: train.y, dim: DIM, classes: 5, seed });
      const ourAccuracy = accuracy(held.y, predictHead(ours.head, held.x).labels);
      const folder = path.join(dir, `${fraction}-${seed}`);
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, 'train_x.npy'), encodeNpy(train.x, [train.n, DIM]));
      await writeFile(path.join(folder, 'train_y.npy'), encodeNpy(train.y, [train.n]));
      await writeFile(path.join(folder, 'test_x.npy'), encodeNpy(held.x, [held.n, DIM]));
      await writeFile(path.join(folder, 'test_y.npy'), encodeNpy(held.y, [held.n]));
      const grid = HEAD_FIT_DEFAULTS.l2Grid.join(',');
      const ref = JSON.parse(
        execFileSync(PYTHON, [SCRIPT, folder, String(ours.l2), '--grid', grid], { encoding: 'utf8' }),
      ) as { accuracy: number; objective: number; iterations: number; cvChoice: number | null };
      console.log(
        `[head-reference] ${fraction} % seed ${seed}: n ${train.n}, λ ${ours.l2} (sklearn CV: ${ref.cvChoice}), ` +
          `accuracy ${(100 * ourAccuracy).toFixed(1)} vs sklearn ${(100 * ref.accuracy).toFixed(1)}, ` +
          `objective ${ours.loss.toFixed(6)} vs ${ref.objective.toFixed(6)}, ` +
          `iterations ${ours.iterations} vs ${ref.iterations}, ${ours.trainMs.toFixed(0)} ms with CV`,
      );
      assert.ok(ours.converged, `shelfssl's fit stopped at |g|∞ ${ours.gradientNorm}`);
      assert.ok(Math.abs(ourAccuracy - ref.accuracy) <= 0.01, `${ourAccuracy} vs ${ref.accuracy}`);
      assert.ok(
        Math.abs(ours.loss - ref.objective) <= 1e-5 * Math.max(1, ref.objective),
        `objective ${ours.loss} vs ${ref.objective}`,
      );
    }
  });
}

test("10 % labels, pseudo-labelled: shelfssl's self-training and scikit-learn's agree within 1 accuracy point", async (t) => {
  if (skip) return t.skip(skip);
  const ids = Array.from({ length: pool.n }, (_, i) => ({ id: String(i), label: pool.y[i] ?? 0 }));
  const sample = (nestedStratifiedSample(ids, [10], 1)['10'] ?? []).map(Number);
  const train = rowsOf(pool, DIM, sample);
  const settings = { pseudoThreshold: 0.9, pseudoRounds: 2 };
  const ours = trainSemiSupervisedHead({
    features: train.x,
    labels: train.y,
    dim: DIM,
    classes: 5,
    seed: 1,
    unlabelledFeatures: unlabelled.x,
    settings,
  });
  const ourAccuracy = accuracy(held.y, predictHead(ours.head, held.x).labels);
  const folder = path.join(dir, 'semi');
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'train_x.npy'), encodeNpy(train.x, [train.n, DIM]));
  await writeFile(path.join(folder, 'train_y.npy'), encodeNpy(train.y, [train.n]));
  await writeFile(path.join(folder, 'test_x.npy'), encodeNpy(held.x, [held.n, DIM]));
  await writeFile(path.join(folder, 'test_y.npy'), encodeNpy(held.y, [held.n]));
  await writeFile(path.join(folder, 'pool_x.npy'), encodeNpy(unlabelled.x, [unlabelled.n, DIM]));
  const args = [SCRIPT, folder, String(ours.l2), '--threshold', '0.9', '--rounds', '2'];
  const ref = JSON.parse(execFileSync(PYTHON, args, { encoding: 'utf8' })) as { accuracy: number };
  console.log(
    `[head-reference] 10 % semi-supervised: pseudo-labels ${ours.rounds.map((r) => r.pseudoLabelled).join('/')}, ` +
      `accuracy ${(100 * ourAccuracy).toFixed(1)} vs sklearn ${(100 * ref.accuracy).toFixed(1)}`,
  );
  assert.ok(ours.rounds.every((r) => r.converged && r.pseudoLabelled > 0));
  assert.ok(Math.abs(ourAccuracy - ref.accuracy) <= 0.01, `${ourAccuracy} vs ${ref.accuracy}`);
});
