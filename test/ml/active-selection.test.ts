import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { kCenterGreedy, selectForLabelling, uncertaintyScores } from '../../ml/active/index.js';

/** 3 tight clusters of 10 points each in 2-d directions 0°, 120°, 240° (cosine geometry), row-major. */
function clusters(): Float32Array {
  const f = new Float32Array(30 * 2);
  for (let c = 0; c < 3; c++)
    for (let i = 0; i < 10; i++) {
      const angle = (c * 2 * Math.PI) / 3 + (i - 5) * 0.01;
      f[(c * 10 + i) * 2] = Math.cos(angle);
      f[(c * 10 + i) * 2 + 1] = Math.sin(angle);
    }
  return f;
}
const clusterOf = (row: number) => Math.floor(row / 10);

describe('annotation suggestions: uncertainty and k-center greedy', () => {
  it('margin and entropy rank an undecided row above a confident one, and are 0 for one-hot', () => {
    const probs = [0.98, 0.01, 0.01, 0.45, 0.44, 0.11, 1, 0, 0];
    for (const measure of ['margin', 'entropy'] as const) {
      const s = uncertaintyScores(probs, 3, measure);
      assert.ok(s[1]! > s[0]!, `${measure}: ${s}`);
      assert.equal(s[2], 0);
    }
    assert.ok(Math.abs(uncertaintyScores(probs, 3, 'margin')[1]! - 0.99) < 1e-9);
  });

  it('k-center greedy covers every cluster before repeating one, and skips the labelled clusters', () => {
    const f = clusters();
    const all = Array.from({ length: 30 }, (_, i) => i);
    assert.deepEqual(new Set(kCenterGreedy(f, 2, all, [], 3).map(clusterOf)), new Set([0, 1, 2]));
    const picks = kCenterGreedy(f, 2, all.slice(10), [0, 1], 2);
    assert.deepEqual(new Set(picks.map(clusterOf)), new Set([1, 2]), 'cluster 0 is labelled already');
  });

  it('margin keeps diverse picks among the uncertain instead of twenty copies of one product', () => {
    const f = clusters();
    const candidates = Array.from({ length: 30 }, (_, i) => i);
    // Cluster 0 is the most uncertain, cluster 1 nearly as much, cluster 2 confident.
    const probs = candidates.flatMap((r) =>
      clusterOf(r) === 0 ? [0.5, 0.5] : clusterOf(r) === 1 ? [0.6, 0.4] : [1, 0],
    );
    const base = {
      n: 4,
      features: f,
      dim: 2,
      candidates,
      labelled: [],
      probs,
      classes: 2,
      shortlist: 5,
      seed: 1,
    };
    const margin = selectForLabelling({ ...base, strategy: 'margin' });
    assert.equal(margin.rows.length, 4);
    assert.deepEqual(new Set(margin.rows.map(clusterOf)), new Set([0, 1]), 'both uncertain clusters');
    assert.equal(clusterOf(margin.rows[0]!), 0, 'most uncertain first');
    assert.ok(margin.scores.every((s) => s !== null));
    const random = selectForLabelling({ ...base, strategy: 'random' });
    assert.deepEqual(random, selectForLabelling({ ...base, strategy: 'random' }), 'seeded');
    assert.notDeepEqual(random.rows, selectForLabelling({ ...base, strategy: 'random', seed: 2 }).rows);
    assert.equal(
      new Set(selectForLabelling({ ...base, strategy: 'diverse', n: 3 }).rows.map(clusterOf)).size,
      3,
    );
  });
});
