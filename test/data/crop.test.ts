import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import {
  type CropProgress,
  type CropResult,
  cropAllBoxes,
  cropShelfImages,
  isHeldOut,
  readCropIndexWithEntries,
  readCropShard,
} from '../../data/crop/index.js';
import { matchLabels, readLabelCsv } from '../../data/labels/index.js';
import { type IngestResult, ingestSku110k } from '../../data/sku110k/index.js';
import { tempDir, tinyDataset } from '../fixtures/tiny-dataset.js';

let dir = '';
let root = '';
let cleanup: () => Promise<void> = async () => {};
let ingest: IngestResult;
let labels: ReturnType<typeof matchLabels>;
let first: CropResult;
const progress: CropProgress[] = [];

before(async () => {
  ({ dir, cleanup } = await tempDir('crop'));
  ({ root } = await tinyDataset(dir, 'shelves', 11, 5));
  ingest = await ingestSku110k({ root });
  labels = matchLabels(ingest.boxes, (await readLabelCsv(path.join(root, 'labels.csv'))).rows);
  first = await cropShelfImages({
    root,
    boxes: ingest.boxes,
    labels: labels.labels,
    outDir: path.join(dir, 'a'),
    shardSize: 16,
    seed: 3,
    concurrency: 2,
    onProgress: (p) => progress.push(p),
  });
});
after(() => cleanup());

test('crop counts match the CSV box counts exactly, split into the two pools', () => {
  assert.equal(first.crops, ingest.counts.goodBoxes);
  assert.equal(first.labelled.count, labels.labels.length);
  assert.equal(first.unlabelled.count, ingest.boxes.length - labels.labels.length);
  assert.equal(first.labelled.train + first.labelled.test, first.labelled.count);
});

test('shards are uint8 NHWC .npy files whose rows add up, and the index points into them', async () => {
  for (const pool of [first.labelled, first.unlabelled]) {
    const index = await readCropIndexWithEntries(pool.dir);
    assert.equal(index.entries.length, pool.count);
    assert.equal(index.count, pool.count);
    assert.ok(index.shards.length > 1, 'shardSize 16 forces several shards');
    let total = 0;
    for (const shard of index.shards) {
      const loaded = await readCropShard(pool.dir, shard.file);
      assert.equal(loaded.rows, shard.rows);
      assert.equal(loaded.size, 32);
      assert.ok(shard.rows <= 16);
      total += shard.rows;
    }
    assert.equal(total, pool.count);
    for (const entry of index.entries) {
      const shard = index.shards.find((s) => s.file === entry.shard);
      assert.ok(shard && entry.row < shard.rows, `${entry.boxId} points at a real row`);
    }
    assert.equal(new Set(index.entries.map((e) => `${e.shard}:${e.row}`)).size, pool.count);
  }
  const labelled = await readCropIndexWithEntries(first.labelled.dir);
  assert.ok(labelled.entries.every((e) => e.label !== null && e.split !== null));
  const unlabelled = await readCropIndexWithEntries(first.unlabelled.dir);
  assert.ok(unlabelled.entries.every((e) => e.label === null && e.split === null));
});

test('the test split is stratified: round(15%) of each class', () => {
  labels.counts.perClass.forEach((n, c) => {
    assert.equal(first.labelled.perClass.test[c], Math.round(n * 0.15), `class ${c} of ${n}`);
    assert.equal(first.labelled.perClass.train[c], n - Math.round(n * 0.15));
  });
});

test('a crop holds the pixels of its box (compared with sharp extract + resize of the JPEG)', async () => {
  const index = await readCropIndexWithEntries(first.unlabelled.dir);
  const entry = index.entries[3]!;
  const [x1, y1, x2, y2] = entry.box;
  const reference = await sharp(path.join(root, 'images', entry.image))
    .extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 })
    .resize(32, 32, { fit: 'fill' })
    .raw()
    .toBuffer();
  const shard = await readCropShard(first.unlabelled.dir, entry.shard);
  const crop = shard.pixels.subarray(entry.row * 32 * 32 * 3, (entry.row + 1) * 32 * 32 * 3);
  let diff = 0;
  for (let i = 0; i < crop.length; i++) diff += Math.abs(crop[i]! - reference[i]!);
  assert.ok(diff / crop.length < 10, `mean abs difference ${diff / crop.length}`);
});

test('progress is reported per image up to the total', () => {
  assert.equal(progress.length, first.images);
  assert.deepEqual(
    progress.map((p) => p.doneImages),
    progress.map((_, i) => i + 1),
  );
  assert.equal(progress.at(-1)!.crops, first.crops);
  assert.ok(progress.every((p) => p.totalImages === first.images));
});

test('output is byte-identical for the same seed whatever the concurrency', async () => {
  const again = await cropShelfImages({
    root,
    boxes: ingest.boxes,
    labels: labels.labels,
    outDir: path.join(dir, 'b'),
    shardSize: 16,
    seed: 3,
    concurrency: 1,
  });
  for (const pool of ['labelled', 'unlabelled'] as const) {
    const files = (await readdir(path.join(dir, 'a', pool))).sort();
    assert.deepEqual((await readdir(again[pool].dir)).sort(), files);
    for (const file of files) {
      const a = await readFile(path.join(dir, 'a', pool, file));
      const b = await readFile(path.join(again[pool].dir, file));
      assert.ok(a.equals(b), `${pool}/${file} differs`);
    }
  }
});

test('a different seed draws a different test split; labels for unknown boxes are refused', async () => {
  const other = await cropShelfImages({
    root,
    boxes: ingest.boxes,
    labels: labels.labels,
    outDir: path.join(dir, 'c'),
    seed: 4,
    resizer: 'sharp',
  });
  const a = (await readCropIndexWithEntries(first.labelled.dir)).entries
    .filter((e) => e.split === 'test')
    .map((e) => e.boxId);
  const b = (await readCropIndexWithEntries(other.labelled.dir)).entries
    .filter((e) => e.split === 'test')
    .map((e) => e.boxId);
  assert.equal(a.length, b.length);
  assert.notDeepEqual(a, b);
  await assert.rejects(
    cropShelfImages({
      root,
      boxes: ingest.boxes,
      labels: [{ boxId: 'x#0', label: 0 }],
      outDir: dir,
      seed: 1,
    }),
    /boxId x#0 is not among the boxes/,
  );
});

test('label-blind cropping: every box in pool all, the same pixels, a held-out region that ignores labels', async () => {
  const all = await cropAllBoxes({
    root,
    boxes: ingest.boxes,
    outDir: path.join(dir, 'd'),
    shardSize: 16,
    seed: 3,
  });
  assert.equal(all.crops, ingest.boxes.length);
  const index = await readCropIndexWithEntries(all.pool.dir);
  assert.equal(index.pool, 'all');
  assert.ok(index.entries.every((e) => e.label === null && e.split !== null));
  const heldOut = index.entries.filter((e) => e.split === 'test');
  assert.equal(heldOut.length, all.heldOut);
  assert.ok(heldOut.length > 0 && heldOut.length < index.entries.length / 3, `${heldOut.length} held out`);
  for (const e of index.entries) assert.equal(e.split === 'test', isHeldOut(e.boxId, 3, 0.15));
  // The same crop pixels as the labelled pool holds for that box.
  const labelled = await readCropIndexWithEntries(first.labelled.dir);
  const probe = labelled.entries[0]!;
  const twin = index.entries.find((e) => e.boxId === probe.boxId)!;
  const per = 32 * 32 * 3;
  const a = (await readCropShard(first.labelled.dir, probe.shard)).pixels.subarray(
    probe.row * per,
    (probe.row + 1) * per,
  );
  const b = (await readCropShard(all.pool.dir, twin.shard)).pixels.subarray(
    twin.row * per,
    (twin.row + 1) * per,
  );
  assert.ok(Buffer.from(a).equals(Buffer.from(b)));
});
