// The collapse gate: it must fire on a run whose assignments carry no information (loss pinned at ln K with
// flat or one-hot predictions, or constant features) and not on a high early loss that is still falling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectCollapse, type EpochStats, stepStats } from '../../ml/swav/index.js';

const K = 64;
const LN_K = Math.log(K);

/** A healthy epoch's statistics with the given loss; `over` replaces any of them. */
function epoch(n: number, loss: number, over: Partial<EpochStats> = {}): EpochStats {
  return {
    epoch: n,
    loss,
    predictionEntropy: 0.6,
    featureSpread: 0.5,
    prototypeUsage: 1,
    topPrototypeShare: 0.05,
    ...over,
  };
}

const pinned = (n: number, over: Partial<EpochStats> = {}) =>
  epoch(n, LN_K * (1 + 0.004 * (n % 2)), { predictionEntropy: 0.99, ...over });

test('a loss pinned at ln K with uniform predictions for `patience` epochs is collapse, and the message names the keys', () => {
  const v = detectCollapse([epoch(1, LN_K + 0.6), pinned(2), pinned(3), pinned(4)], K, { patience: 3 });
  assert.equal(v.collapsed, true);
  assert.equal(v.epochsCollapsed, 3);
  assert.equal(v.lastHealthyEpoch, 1, 'a retry restarts after epoch 1');
  for (const key of ['swav.epsilon', 'swav.freezePrototypesSteps', 'swav.globalScale', 'swav.colorJitter'])
    assert.ok(v.message.includes(key), `message names ${key}: ${v.message}`);
  assert.match(v.message, /predictions uniform/);
});

test('a high early loss that is still falling is not collapse (4.93 → 4.46 → 4.31 with K = 64)', () => {
  // The old gate counted every epoch with loss ≥ 0.98 · ln K as "near uniform" and failed this run.
  const falling = [4.93, 4.46, 4.31].map((loss, i) => epoch(i + 1, loss, { predictionEntropy: 0.55 }));
  const v = detectCollapse(falling, K, { patience: 3 });
  assert.equal(v.collapsed, false, v.message);
  assert.equal(v.epochsCollapsed, 0);
});

test('a loss at ln K with confident, spread predictions is not collapse; one-hot or constant features are', () => {
  const confident = [1, 2, 3].map((n) => epoch(n, LN_K, { predictionEntropy: 0.7 }));
  assert.equal(detectCollapse(confident, K, { patience: 3 }).collapsed, false);
  const oneHot = [1, 2, 3].map((n) => epoch(n, LN_K, { predictionEntropy: 0.1, topPrototypeShare: 0.97 }));
  assert.equal(detectCollapse(oneHot, K, { patience: 3 }).collapsed, true);
  const constant = [1, 2, 3].map((n) => epoch(n, 2.5, { featureSpread: 0.001 }));
  const v = detectCollapse(constant, K, { patience: 3 });
  assert.equal(v.collapsed, true);
  assert.match(v.message, /features constant/);
});

test('recovering epochs, too short runs and a broken streak are not collapse', () => {
  assert.equal(
    detectCollapse([pinned(1), pinned(2), epoch(3, LN_K - 1), epoch(4, LN_K - 1.2)], K, { patience: 3 })
      .collapsed,
    false,
  );
  assert.equal(detectCollapse([pinned(1), pinned(2)], K, { patience: 3 }).collapsed, false);
  const broken = detectCollapse([pinned(1), pinned(2), epoch(3, 3), pinned(4), pinned(5)], K, {
    patience: 3,
  });
  assert.equal(broken.collapsed, false);
  assert.equal(broken.lastHealthyEpoch, 3);
});

test('stepStats: flat scores give entropy 1·ln K, identical embeddings spread 0, one prototype takes all', () => {
  const b = 8;
  const k = 4;
  const dim = 3;
  const flat = new Float32Array(b * k).fill(0.2);
  const same = new Float32Array(b * dim).fill(0.5);
  const s = stepStats([flat], [same], k, dim, 0.1);
  assert.ok(Math.abs(s.entropy - 1) < 1e-6, `entropy ${s.entropy}`);
  assert.ok(s.spread < 1e-6, `spread ${s.spread}`);
  assert.equal(s.argmaxCounts[0], b);
  // Each row sure of its own prototype; embeddings ±1 per dimension: spread √d · std.
  const sharp = new Float32Array(b * k).map((_, i) => (i % k === Math.floor(i / k) % k ? 1 : -1));
  const spread = new Float32Array(b * dim).map((_, i) => (Math.floor(i / dim) % 2 === 0 ? 1 : -1));
  const t = stepStats([sharp], [spread], k, dim, 0.1);
  assert.ok(t.entropy < 0.01, `entropy ${t.entropy}`);
  assert.deepEqual(t.argmaxCounts, [2, 2, 2, 2]);
  const std = Math.sqrt(8 / 7);
  assert.ok(Math.abs(t.spread - std * Math.sqrt(dim)) < 1e-6, `spread ${t.spread}`);
});
