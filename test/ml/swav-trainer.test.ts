import assert from 'node:assert/strict';
import { test } from 'node:test';
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng } from '../../ml/random.js';
import {
  decodeSwavState,
  detectCollapse,
  encodeSwavState,
  type MultiCropConfig,
  SwavTrainer,
  type SwavTrainerConfig,
} from '../../ml/swav/index.js';

await tf.setBackend('cpu');

const SIZE = 16;

/** conv-BN-ReLU ×2 + global average pooling: the smallest backbone with batch-norm state. */
function tinyBackbone(seed: number): tfl.LayersModel {
  const input = tfl.input({ shape: [SIZE, SIZE, 3] });
  let x = input;
  [8, 16].forEach((filters, i) => {
    const conv = tfl.layers.conv2d({
      filters,
      kernelSize: 3,
      strides: 2, // stride 2 everywhere: the cpu backend's filter gradient is slow, keep positions few
      padding: 'same',
      useBias: false,
      kernelInitializer: tfl.initializers.heNormal({ seed: seed + i }),
    });
    x = conv.apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.batchNormalization().apply(x) as tfl.SymbolicTensor;
    x = tfl.layers.activation({ activation: 'relu' }).apply(x) as tfl.SymbolicTensor;
  });
  const pooled = tfl.layers.globalAveragePooling2d({}).apply(x) as tfl.SymbolicTensor;
  return tfl.model({ inputs: input, outputs: pooled });
}

/** Four visually distinct pattern families (stripes both ways, checkerboard, centred blob), random colours. */
function syntheticImages(
  n: number,
  seed: number,
): { pixels: Uint8Array; n: number; h: number; w: number; c: number } {
  const rng = createRng(seed);
  const pixels = new Uint8Array(n * SIZE * SIZE * 3);
  for (let i = 0; i < n; i++) {
    const kind = i % 4;
    const fg = [rng.int(256), rng.int(256), rng.int(256)];
    const bg = fg.map((v) => 255 - v);
    const period = 2 + rng.int(3);
    for (let y = 0; y < SIZE; y++) {
      for (let x = 0; x < SIZE; x++) {
        const on =
          kind === 0
            ? Math.floor(y / period) % 2 === 0
            : kind === 1
              ? Math.floor(x / period) % 2 === 0
              : kind === 2
                ? (Math.floor(x / period) + Math.floor(y / period)) % 2 === 0
                : (x - 7.5) ** 2 + (y - 7.5) ** 2 < 25;
        const colour = on ? fg : bg;
        for (let ch = 0; ch < 3; ch++) pixels[((i * SIZE + y) * SIZE + x) * 3 + ch] = colour[ch] ?? 0;
      }
    }
  }
  return { pixels, n, h: SIZE, w: SIZE, c: 3 };
}

const CROPS: MultiCropConfig = {
  global: { count: 2, size: SIZE, scale: [0.3, 1] },
  local: { count: 2, size: 8, scale: [0.1, 0.3] },
  flipProbability: 0.5,
  colorJitter: null,
  // Colour is what tells these synthetic images apart least (it is random per image), but at 50 steps jitter
  // slows learning too much to test; the augmentation tests cover jitter and grayscale.
  grayscaleProbability: 0,
  blur: { probability: 0.5, sigmaFraction: [0.1 / 224, 2 / 224] },
  normalize: null,
};

function trainerConfig(overrides: Partial<SwavTrainerConfig> = {}): SwavTrainerConfig {
  return {
    model: { projHidden: 32, projOut: 16, prototypes: 10, seed: 7 },
    crops: CROPS,
    schedule: { baseLr: 1, finalLr: 0.01, warmupSteps: 3, totalSteps: 50 },
    batchSize: 16,
    seed: 11,
    momentum: 0.9,
    weightDecay: 1e-6,
    epsilon: 0.05,
    sinkhornIterations: 3,
    temperature: 0.1,
    freezePrototypesIterations: 2,
    queue: null,
    ...overrides,
  };
}

function weightsOf(trainer: SwavTrainer): Map<string, Float32Array> {
  const state = trainer.getState();
  return new Map(Object.entries(state.weights).map(([k, v]) => [k, v.values]));
}

test('SwAV loss falls below ln K on synthetic patterns, and no collapse is reported', () => {
  const data = syntheticImages(32, 3);
  const trainer = new SwavTrainer(tinyBackbone(1), trainerConfig());
  const losses: number[] = [];
  const started = Date.now();
  while (trainer.epoch < 25) losses.push(trainer.trainStep(data).loss);
  const head = losses.slice(0, 4).reduce((a, b) => a + b) / 4;
  const tail = losses.slice(-4).reduce((a, b) => a + b) / 4;
  console.log(
    `swav: ${losses.length} steps in ${Date.now() - started} ms; loss ${head.toFixed(3)} → ${tail.toFixed(3)}, ln K = ${Math.log(10).toFixed(3)}`,
  );
  assert.ok(losses.every(Number.isFinite));
  assert.ok(tail < head, `loss did not decrease: ${head} → ${tail}`);
  assert.ok(tail < Math.log(10), `loss ${tail} not below ln K`);
  assert.equal(trainer.epoch, 25);
  assert.equal(detectCollapse(trainer.history, 10, { patience: 3 }).collapsed, false);
  trainer.dispose();
});

test('resuming from getState() reproduces the uninterrupted run bitwise (cpu backend), queue included', () => {
  const data = syntheticImages(16, 5);
  const config = trainerConfig({ queue: { length: 16, startEpoch: 0 }, batchSize: 4 });
  const twoSteps = (trainer: SwavTrainer) => {
    trainer.trainStep(data);
    trainer.trainStep(data);
  };

  const straightBackbone = tinyBackbone(1);
  const straight = new SwavTrainer(straightBackbone, config);
  twoSteps(straight);
  twoSteps(straight); // 4 steps: ends the epoch
  twoSteps(straight); // 2 more, queue now full and in use

  const firstBackbone = tinyBackbone(1);
  const first = new SwavTrainer(firstBackbone, config);
  twoSteps(first);
  const saved = first.getState();
  first.dispose();
  // A checkpoint travels as bytes (written by someone else): round-trip it through the byte codec.
  const bytes = encodeSwavState(saved);
  const decoded = decodeSwavState(bytes);
  assert.deepEqual(decoded, saved);
  const resumed = SwavTrainer.restore(decoded, tinyBackbone(99));
  assert.equal(resumed.iteration, 2);
  twoSteps(resumed);
  twoSteps(resumed);

  assert.equal(resumed.iteration, straight.iteration);
  assert.equal(resumed.epoch, straight.epoch);
  const a = weightsOf(straight);
  const b = weightsOf(resumed);
  assert.deepEqual([...a.keys()], [...b.keys()]);
  assert.ok(
    [...a.keys()].some((k) => k.endsWith('moving_mean')),
    'BN moving statistics are part of the state',
  );
  for (const [key, values] of a) assert.deepEqual(b.get(key), values, `weight ${key} differs after resume`);
  const sa = straight.getState();
  const sb = resumed.getState();
  assert.deepEqual(sb.momentum, sa.momentum);
  assert.deepEqual(sb.queue, sa.queue);
  assert.ok(sa.queue?.inUse, 'queue took part in the compared steps');
  assert.deepEqual(sb.rng, sa.rng);
  assert.deepEqual(sb.history, sa.history);
  straight.dispose();
  resumed.dispose();
});

test('prototypes stay fixed while frozen, then move', () => {
  const data = syntheticImages(8, 9);
  const trainer = new SwavTrainer(
    tinyBackbone(2),
    trainerConfig({ freezePrototypesIterations: 2, batchSize: 8 }),
  );
  const before = trainer.getState().weights['prototypes/kernel']?.values;
  trainer.trainStep(data);
  trainer.trainStep(data);
  const frozen = trainer.getState().weights['prototypes/kernel']?.values;
  // Re-normalisation before each step may shift the last bits, nothing more.
  frozen?.forEach((v, i) => {
    assert.ok(Math.abs(v - (before?.[i] ?? 0)) < 1e-6);
  });
  trainer.trainStep(data);
  const moved = trainer.getState().weights['prototypes/kernel']?.values;
  assert.ok(moved?.some((v, i) => Math.abs(v - (frozen?.[i] ?? 0)) > 1e-4));
  trainer.dispose();
});

test('a training step leaks no tensors', () => {
  const data = syntheticImages(8, 4);
  // No prototype freeze: its end would legitimately create the prototypes' momentum buffer mid-test.
  const trainer = new SwavTrainer(
    tinyBackbone(3),
    trainerConfig({ queue: { length: 8, startEpoch: 0 }, freezePrototypesIterations: 0, batchSize: 8 }),
  );
  trainer.trainStep(data);
  const before = tf.memory().numTensors;
  trainer.trainStep(data);
  trainer.trainStep(data);
  assert.equal(tf.memory().numTensors, before);
  trainer.dispose();
});
