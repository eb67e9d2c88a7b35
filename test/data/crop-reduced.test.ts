import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { cropOneImage, groupByImage } from '../../data/crop/crop-shelf-images.js';
import { chooseReduction, paddedRegion } from '../../data/crop/extract-crops.js';
import { findFashionMnist } from '../../data/fashion-mnist.js';
import { largeShelvesOptions, makeShelves } from '../../data/shelves/index.js';
import { ingestSku110k } from '../../data/sku110k/index.js';
import { tempDir } from '../fixtures/tiny-dataset.js';

/**
 * The reduced decode (shrink-on-load, then the same resampler) against the old full-resolution path on real
 * generated JPEGs. Tolerance, per uint8 channel value over all crops: mean absolute difference ≤ 2.0 and at
 * least 97 % of values within 8 levels. The differences come from libvips' resize kernel and from box edges
 * rounding to the reduced grid (a fraction of a crop pixel), so a crop shifted or of the wrong box fails.
 */
const MEAN_TOLERANCE = 2;
const NEAR_LEVELS = 8;
const NEAR_SHARE = 0.97;

let dir = '';
let cleanup: () => Promise<void> = async () => {};
before(async () => {
  ({ dir, cleanup } = await tempDir('crop-reduced'));
});
after(() => cleanup());

function difference(a: Uint8Array, b: Uint8Array): { mean: number; near: number } {
  assert.equal(a.length, b.length);
  let sum = 0;
  let near = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d <= NEAR_LEVELS) near++;
  }
  return { mean: sum / a.length, near: near / a.length };
}

test('reduced decode gives the full decode’s crops within tolerance on 3000×4000 shelves', {
  skip: findFashionMnist() === null ? 'needs Debian dataset-fashion-mnist' : false,
}, async () => {
  const root = path.join(dir, 'large');
  await makeShelves(largeShelvesOptions(root, 2001, 2));
  const { boxes } = await ingestSku110k({ root });
  const jobs = groupByImage(boxes);
  assert.equal(jobs.length, 2);
  const opts = { cropSize: 32, padding: 0.05, resizer: 'js' as const };
  for (const job of jobs) {
    assert.ok(job.boxes.length >= 100, `~150 boxes per photo, got ${job.boxes.length}`);
    const first = job.boxes[0]!;
    const regions = job.boxes.map((b) => paddedRegion(b, opts.padding, first.imageWidth, first.imageHeight));
    // The photos must exercise the reduced path: libjpeg scaling applies from a reduction of 3.
    assert.ok(chooseReduction(regions, opts.cropSize) >= 3, 'boxes large enough to decode reduced');
    const full = await cropOneImage(path.join(root, 'images'), job, { ...opts, decode: 'full' });
    const reduced = await cropOneImage(path.join(root, 'images'), job, { ...opts, decode: 'reduced' });
    const d = difference(full, reduced);
    assert.ok(d.mean <= MEAN_TOLERANCE, `${job.image}: mean |Δ| ${d.mean.toFixed(3)} > ${MEAN_TOLERANCE}`);
    assert.ok(d.near >= NEAR_SHARE, `${job.image}: ${(d.near * 100).toFixed(2)} % within ${NEAR_LEVELS}`);
    // Crops of neighbouring boxes differ far more than the tolerance: the comparison can tell boxes apart.
    const rowBytes = 32 * 32 * 3;
    const shifted = difference(full.subarray(rowBytes), reduced.subarray(0, reduced.length - rowBytes));
    assert.ok(shifted.mean > 4 * MEAN_TOLERANCE, `neighbour crops differ by ${shifted.mean.toFixed(2)} only`);
  }
});

test('small boxes keep the full decode: the demo’s shelves crop byte for byte as before', async () => {
  const root = path.join(dir, 'small');
  await makeShelves({
    out: root,
    images: 2,
    seed: 2002,
    source: 'tiny',
    width: 640,
    height: 480,
    productSize: [40, 90],
    classes: { a: 0, b: 1 },
  });
  const { boxes } = await ingestSku110k({ root });
  for (const job of groupByImage(boxes)) {
    const opts = { cropSize: 32, padding: 0, resizer: 'js' as const };
    const full = await cropOneImage(path.join(root, 'images'), job, { ...opts, decode: 'full' });
    const reduced = await cropOneImage(path.join(root, 'images'), job, { ...opts, decode: 'reduced' });
    assert.deepEqual(Buffer.from(reduced), Buffer.from(full));
  }
});
