import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { groupByImage } from '../../data/crop/crop-shelf-images.js';
import { cropAllBoxes, readCropIndex } from '../../data/crop/index.js';
import { loadCropPoolDir } from '../../data/crop/load-pool.js';
import { ShardedCropRows } from '../../data/crop/pool-rows.js';
import { ingestSku110k } from '../../data/sku110k/index.js';
import { buildSmallResNet, extractFeatures } from '../../ml/models/index.js';
import { initBackend } from '../../runtime/index.js';
import { tempDir, tinyDataset } from '../fixtures/tiny-dataset.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};

before(async () => {
  await initBackend();
  ({ dir, cleanup } = await tempDir('streamed-features'));
});
after(() => cleanup());

test('features read shard by shard, in photo groups, are the bytes of the whole-pool extraction', async () => {
  const { root } = await tinyDataset(dir, 'shelves', 4102, 4);
  const ingest = await ingestSku110k({ root });
  const out = await cropAllBoxes({
    root,
    boxes: ingest.boxes,
    outDir: path.join(dir, 'crops'),
    seed: 3,
    shardSize: 32,
  });
  const model = buildSmallResNet({
    inputSize: 16,
    widths: [8, 16, 16, 24],
    blocksPerStage: [1, 1, 1, 1],
    seed: 5,
  });
  try {
    // The previous path: the whole pool in one buffer, one extraction.
    const whole = await loadCropPoolDir(out.pool.dir);
    const before = await extractFeatures(model, whole.pixels, whole.n, whole.size, whole.size, 3, 64);
    // The streamed path: per-photo groups (uneven, crossing shard edges) read through the shard reader.
    const rows = new ShardedCropRows(out.pool.dir, await readCropIndex(out.pool.dir));
    assert.ok((await readCropIndex(out.pool.dir)).shards.length > 1, 'several shards');
    const parts: Float32Array[] = [];
    let start = 0;
    const perPhoto = groupByImage(ingest.boxes).map((job) => job.boxes.length);
    for (const n of perPhoto) {
      parts.push(await extractFeatures(model, await rows.rows(start, n), n, rows.size, rows.size, 3, 64));
      start += n;
    }
    assert.equal(start, whole.n);
    const after = new Float32Array(before.length);
    let at = 0;
    for (const p of parts) {
      after.set(p, at);
      at += p.length;
    }
    assert.ok(Buffer.from(after.buffer).equals(Buffer.from(before.buffer)), 'same float32 bytes');
  } finally {
    model.dispose();
  }
});
