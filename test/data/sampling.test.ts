import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nestedStratifiedSample } from '../../data/sampling.js';

/** 5 classes of uneven size, like a real label CSV. */
const items = [120, 75, 40, 13, 7].flatMap((n, label) =>
  Array.from({ length: n }, (_, i) => ({ id: `c${label}-${i}`, label })),
);
const fractions = [10, 20, 30, 40, 50, 100];

describe('nestedStratifiedSample', () => {
  const samples = nestedStratifiedSample(items, fractions, 42);

  it('nests: every id of a smaller fraction is in every larger one, and 100 % is everything', () => {
    for (let i = 1; i < fractions.length; i++) {
      const larger = new Set(samples[String(fractions[i])]);
      for (const id of samples[String(fractions[i - 1])] ?? [])
        assert.ok(larger.has(id), `${id} missing at ${fractions[i]} %`);
    }
    assert.equal(samples['100']?.length, items.length);
  });

  it('keeps every class within one item of exact stratification', () => {
    for (const f of fractions) {
      const chosen = new Set(samples[String(f)]);
      for (let label = 0; label < 5; label++) {
        const ofClass = items.filter((x) => x.label === label);
        const got = ofClass.filter((x) => chosen.has(x.id)).length;
        assert.ok(
          Math.abs(got - (ofClass.length * f) / 100) <= 1,
          `class ${label} at ${f} %: ${got} of ${ofClass.length}`,
        );
      }
    }
  });

  it('is seeded: the same seed gives the same sample, another seed another one', () => {
    assert.deepEqual(nestedStratifiedSample(items, fractions, 42), samples);
    assert.notDeepEqual(nestedStratifiedSample(items, [10], 43)['10'], samples['10']);
  });
});
