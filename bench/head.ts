// The linear head's cost: one converged fit and one head with its cross-validation, on Fashion-MNIST
// features of the demo's five garment classes, against plain L-BFGS (the previous optimiser) and scikit-learn
// timed in the same run on the same matrix.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { findFashionMnist, loadFashionMnist } from '../data/fashion-mnist.js';
import { encodeNpy } from '../data/npy.js';
import { minimiseLbfgs } from '../ml/head/lbfgs.js';
import { standardisedDesign, trainLinearHead } from '../ml/head/linear-head.js';
import { HEAD_FIT_DEFAULTS } from '../ml/head/params.js';
import { softmaxPreconditioner, weightedGram } from '../ml/head/preconditioner.js';
import { softmaxLossAndGradient, softmaxProblem } from '../ml/head/softmax-objective.js';
import { featureMoments } from '../ml/head/standardise.js';
import { createRng } from '../ml/random.js';
import { type Spread, spread } from './stats.js';

const DEMO_CLASSES = [0, 2, 3, 4, 6];
const DIM = 128;
const L2 = 0.01;
const TIMING_SCRIPT = fileURLToPath(new URL('../../bench/head_timing.py', import.meta.url));
const SklearnTiming = z.object({ seconds: z.array(z.number()), iterations: z.number().int() });

export interface HeadBenchRow {
  rows: number;
  preconditioned: { ms: Spread; iterations: number };
  plain: { ms: Spread; iterations: number };
  sklearn: { ms: Spread; iterations: number };
  withCv: { ms: Spread; l2: number; cvFits: number };
}

export interface HeadBenchResult {
  dim: number;
  l2: number;
  tolerance: number;
  rows: HeadBenchRow[];
}

/**
 * Backbone-like features: a fixed Gaussian projection of the 784 pixels to 128 dims, then ReLU, so features are
 * correlated and skewed as a ResNet's pooled features are (the regime where conditioning matters).
 */
async function features(n: number): Promise<{ x: Float32Array; y: Int32Array }> {
  const dir = findFashionMnist();
  if (!dir)
    throw new Error('head bench needs Debian’s dataset-fashion-mnist (infra/setup-machine.sh --bench)');
  const mnist = await loadFashionMnist(dir, 'train');
  const rng = createRng(7);
  const pixels = mnist.rows * mnist.cols;
  const projection = Float32Array.from({ length: pixels * DIM }, () => rng.normal() / Math.sqrt(pixels));
  const x = new Float32Array(n * DIM);
  const y = new Int32Array(n);
  let row = 0;
  for (let i = 0; i < mnist.count && row < n; i++) {
    const label = DEMO_CLASSES.indexOf(mnist.labels[i] as number);
    if (label < 0) continue;
    for (let j = 0; j < DIM; j++) {
      let v = 0;
      for (let p = 0; p < pixels; p++)
        v += ((mnist.images[i * pixels + p] as number) / 255) * (projection[p * DIM + j] as number);
      x[row * DIM + j] = Math.max(0, v);
    }
    y[row++] = label;
  }
  return { x, y };
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function timed<T>(reps: number, f: () => T): { ms: Spread; last: T } {
  const times: number[] = [];
  let last = f(); // JIT warm-up, not counted
  for (let r = 0; r < reps; r++) {
    const start = cpuMs();
    last = f();
    times.push(cpuMs() - start);
  }
  return { ms: spread(times), last };
}

function sklearnTiming(x: Float64Array, y: Int32Array, tolerance: number, reps: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-head-bench-'));
  try {
    writeFileSync(path.join(dir, 'x.npy'), encodeNpy(Float32Array.from(x), [y.length, DIM]));
    writeFileSync(path.join(dir, 'y.npy'), encodeNpy(y, [y.length]));
    const threads = { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
    const out = execFileSync(
      '/usr/bin/python3',
      [TIMING_SCRIPT, dir, String(L2), String(tolerance), String(reps)],
      {
        encoding: 'utf8',
        env: { ...process.env, ...threads },
      },
    );
    const r = SklearnTiming.parse(JSON.parse(out));
    return { ms: spread(r.seconds.map((s) => s * 1000)), iterations: r.iterations };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function benchRows(n: number, reps: number): Promise<HeadBenchRow> {
  const { x: raw, y } = await features(n);
  const { mean, std } = featureMoments(raw, DIM);
  const x = standardisedDesign(raw, mean, std);
  const tolerance = HEAD_FIT_DEFAULTS.tolerance;
  const problem = softmaxProblem({
    x,
    y,
    rowWeight: new Float64Array(n).fill(1),
    dim: DIM,
    classes: 5,
  });
  const objective = (theta: Float64Array, grad: Float64Array) =>
    softmaxLossAndGradient(problem, L2, theta, grad);
  const start = new Float64Array((DIM + 1) * 5);
  const options = { tolerance, maxIterations: HEAD_FIT_DEFAULTS.maxIterations };
  // The whole fit as `fitSoftmaxRegression` runs it: Gram matrix, factor, then L-BFGS.
  const preconditioned = timed(reps, () =>
    minimiseLbfgs(objective, start, {
      ...options,
      precondition: softmaxPreconditioner(problem, weightedGram(problem), L2),
    }),
  );
  const plain = timed(reps, () => minimiseLbfgs(objective, start, options));
  const withCv = timed(reps, () =>
    trainLinearHead({ features: raw, labels: y, dim: DIM, classes: 5, seed: 1 }),
  );
  return {
    rows: n,
    preconditioned: { ms: preconditioned.ms, iterations: preconditioned.last.iterations },
    plain: { ms: plain.ms, iterations: plain.last.iterations },
    sklearn: sklearnTiming(x, y, tolerance, reps),
    withCv: {
      ms: withCv.ms,
      l2: withCv.last.l2,
      cvFits: withCv.last.choice.scores.length * withCv.last.choice.folds,
    },
  };
}

export async function runHeadBench(options: { reps: number }): Promise<HeadBenchResult> {
  const rows: HeadBenchRow[] = [];
  for (const n of [150, 1500]) rows.push(await benchRows(n, options.reps));
  return { dim: DIM, l2: L2, tolerance: HEAD_FIT_DEFAULTS.tolerance, rows };
}
