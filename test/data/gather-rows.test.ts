import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CropRowSource, gatherRows } from '../../data/crop/pool-rows.js';

/** A pool of `n` 2-px crops whose every byte is its row number, recording the ranges asked for. */
function countingPool(n: number): CropRowSource & { asked: Array<[number, number]> } {
  const size = 2;
  const per = size * size * 3;
  const asked: Array<[number, number]> = [];
  return {
    size,
    asked,
    async rows(start, count) {
      if (start < 0 || start + count > n) throw new RangeError(`rows ${start}+${count} outside ${n}`);
      asked.push([start, count]);
      const out = new Uint8Array(count * per);
      for (let r = 0; r < count; r++) out.fill((start + r) % 256, r * per, (r + 1) * per);
      return out;
    },
  };
}

describe('gatherRows', () => {
  it('returns the rows in the order asked, repeats included, reading in ascending runs', async () => {
    const pool = countingPool(100);
    const rows = [42, 3, 4, 5, 99, 3, 0, 43];
    const batch = await gatherRows(pool, rows);
    assert.equal(batch.n, rows.length);
    const per = 2 * 2 * 3;
    assert.deepEqual(
      rows.map((_, i) => batch.pixels[i * per]),
      rows,
    );
    assert.deepEqual(pool.asked, [
      [0, 1],
      [3, 3],
      [42, 2],
      [99, 1],
    ]);
    const starts = pool.asked.map(([s]) => s);
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => a - b),
      'each part of the pool is read once, in order',
    );
  });

  it('reads a long consecutive range in bounded pieces', async () => {
    const pool = countingPool(10_000);
    const rows = Array.from({ length: 10_000 }, (_, i) => i);
    const batch = await gatherRows(pool, rows);
    assert.equal(batch.pixels[9_999 * 12], 9_999 % 256);
    assert.ok(pool.asked.length >= 3, `${pool.asked.length} reads`);
    assert.ok(pool.asked.every(([, count]) => count <= 4096));
  });
});
