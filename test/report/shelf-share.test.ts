import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shelfShareLines, shelfShareTotal } from '../../report/shelf-share.js';

const CLASSES = ['a', 'b'];

test('shelfShareLines fills absent classes with 0 and gives shares of the image total', () => {
  const [line] = shelfShareLines([{ image: 'x.jpg', counts: { a: 3 } }], CLASSES);
  assert.deepEqual(line, { image: 'x.jpg', store: '', counts: [3, 0], total: 3, shares: [1, 0] });
});

test('an image with no facings has zero shares, not NaN', () => {
  const [line] = shelfShareLines([{ image: 'empty.jpg', counts: {} }], CLASSES);
  assert.deepEqual(line?.shares, [0, 0]);
});

test('the total row shares are of all facings, not a mean of per-image shares', () => {
  const lines = shelfShareLines(
    [
      { image: '1', counts: { a: 1, b: 0 } },
      { image: '2', counts: { a: 1, b: 8 } },
    ],
    CLASSES,
  );
  const total = shelfShareTotal(lines, CLASSES.length);
  assert.deepEqual(total.counts, [2, 8]);
  assert.deepEqual(total.shares, [0.2, 0.8]);
});
