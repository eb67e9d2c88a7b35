import assert from 'node:assert/strict';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { formatZodError } from '../../config/errors.js';
import { cropAllBoxes, readCropIndex } from '../../data/crop/index.js';
import { loadCropPoolDir } from '../../data/crop/load-pool.js';
import { ShardedCropRows } from '../../data/crop/pool-rows.js';
import { collectRecords, IndexFileError, NdjsonWriter, readNdjsonRecords } from '../../data/ndjson-index.js';
import {
  BoxRecordsWriter,
  boxRecords,
  inPhotoOrder,
  photosOf,
  writeBoxRecords,
} from '../../data/sku110k/box-records.js';
import { type IngestResult, ingestSku110k, ingestSku110kStreamed } from '../../data/sku110k/index.js';
import { BoxTableSchema } from '../../pipelines/artefacts/box-table-file.js';
import { FeatureIndexSchema } from '../../pipelines/artefacts/feature-index-file.js';
import { tempDir, tinyDataset } from '../fixtures/tiny-dataset.js';

const Rec = z.object({ id: z.string(), n: z.number().int() });

let dir = '';
let root = '';
let cleanup: () => Promise<void> = async () => {};
let ingest: IngestResult;

before(async () => {
  ({ dir, cleanup } = await tempDir('streamed-index'));
  ({ root } = await tinyDataset(dir, 'shelves', 4101, 5));
  ingest = await ingestSku110k({ root });
});
after(() => cleanup());

async function recordsFile(name: string, lines: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, lines);
  return file;
}

const good = (i: number) => JSON.stringify({ id: `r${i}`, n: i });

test('NDJSON records round-trip through the writer and the line reader', async () => {
  const file = path.join(dir, 'ok.ndjson');
  const writer = await NdjsonWriter.open<z.infer<typeof Rec>>(file);
  for (let i = 0; i < 5; i++) await writer.write({ id: `r${i}`, n: i });
  assert.equal(await writer.close(), 5);
  const back = await collectRecords({ file, step: 'crop', count: 5 }, Rec);
  assert.deepEqual(
    back.map((r) => r.n),
    [0, 1, 2, 3, 4],
  );
});

test('a bad record names the file, its line, the field and the step to re-run', async () => {
  const file = await recordsFile('bad.ndjson', `${good(0)}\n${good(1)}\n{"id":"r2","n":"two"}\n${good(3)}\n`);
  await assert.rejects(collectRecords({ file, step: 'crop', count: 4 }, Rec), (err: Error) => {
    assert.ok(err instanceof IndexFileError);
    assert.match(err.message, /bad\.ndjson line 3/);
    assert.match(err.message, /\bn\b/);
    assert.match(err.message, /re-run the crop step/);
    return true;
  });
  const notJson = await recordsFile('garbled.ndjson', `${good(0)}\n{"id":\n`);
  await assert.rejects(
    collectRecords({ file: notJson, step: 'features', count: 2 }, Rec),
    /garbled\.ndjson line 2: not a JSON record .*re-run the features step/,
  );
});

test('a record count other than the header says is detected, fewer or more', async () => {
  const file = await recordsFile('four.ndjson', [0, 1, 2, 3].map(good).join('\n').concat('\n'));
  await assert.rejects(
    collectRecords({ file, step: 'ingest', count: 5 }, Rec),
    /four\.ndjson: 4 records, but its header counts 5 .*re-run the ingest step/,
  );
  // Too many: stops at the first extra line, without reading on.
  const seen: number[] = [];
  await assert.rejects(async () => {
    for await (const r of readNdjsonRecords({ file, step: 'ingest', count: 2 }, Rec)) seen.push(r.n);
  }, /four\.ndjson line 3: more records than the 2 its header counts/);
  assert.deepEqual(seen, [0, 1]);
});

test('a file cut off inside its last record is reported as truncated', async () => {
  const whole = `${[0, 1, 2].map(good).join('\n')}\n`;
  const file = await recordsFile('cut.ndjson', whole.slice(0, whole.length - 6));
  await assert.rejects(
    collectRecords({ file, step: 'crop', count: 3 }, Rec),
    /cut\.ndjson line 3: the file ends inside a record .*truncated/,
  );
});

test('an index of the old single-document format fails with what to do, not a crash', async () => {
  const old = path.join(dir, 'old-pool');
  await cropAllBoxes({ root, boxes: ingest.boxes, outDir: old, seed: 3, shardSize: 16 });
  const header = JSON.parse(await readFile(path.join(old, 'all', 'index.json'), 'utf8'));
  await writeFile(
    path.join(old, 'all', 'index.json'),
    JSON.stringify({ ...header, version: 1, entries: [{ boxId: 'x' }] }),
  );
  await assert.rejects(readCropIndex(path.join(old, 'all')), (err: Error) => {
    assert.ok(err instanceof IndexFileError);
    assert.match(err.message, /old single-document format \(version 1/);
    assert.match(err.message, /re-run the crop step/);
    return true;
  });
});

test('boxes stream photo by photo; cropping the stream writes the same pool as cropping the array', async () => {
  const file = path.join(dir, 'boxes.ndjson');
  const { count, photos } = await writeBoxRecords(file, ingest.boxes);
  assert.equal(count, ingest.boxes.length);
  const source = { file, step: 'ingest', count };
  const seen: string[] = [];
  for await (const photo of photosOf(boxRecords(source), file)) seen.push(photo.image);
  assert.equal(seen.length, photos);
  assert.equal(new Set(seen).size, seen.length, 'each photo once');
  const fromArray = await cropAllBoxes({
    root,
    boxes: ingest.boxes,
    outDir: path.join(dir, 'a'),
    seed: 3,
    shardSize: 16,
  });
  const fromStream = await cropAllBoxes({
    root,
    boxes: photosOf(boxRecords(source), file),
    totalImages: photos,
    outDir: path.join(dir, 'b'),
    seed: 3,
    shardSize: 16,
  });
  assert.equal(fromStream.crops, fromArray.crops);
  assert.ok(fromArray.pool.shards.length > 2, 'shardSize 16 forces several shards');
  for (const name of ['index.json', 'index.ndjson', ...fromArray.pool.shards.map((s) => s.file)]) {
    const a = await readFile(path.join(fromArray.pool.dir, name));
    const b = await readFile(path.join(fromStream.pool.dir, name));
    assert.ok(a.equals(b), `${name} differs`);
  }
});

test('a box file whose photo comes back after another photo is refused (it would crop twice)', async () => {
  const ordered = inPhotoOrder(ingest.boxes);
  const firstImage = ordered[0]!.image;
  const shuffled = [
    ...ordered.filter((b) => b.image !== firstImage),
    ...ordered.filter((b) => b.image === firstImage),
  ];
  shuffled.splice(1, 0, ordered[0]!);
  const file = await recordsFile(
    'ungrouped.ndjson',
    `${shuffled.map((b) => JSON.stringify(b)).join('\n')}\n`,
  );
  await assert.rejects(async () => {
    for await (const _ of photosOf(boxRecords({ file, step: 'ingest', count: shuffled.length }), file));
  }, /ungrouped\.ndjson line \d+: image \S+ comes again after other photos' boxes.*re-run the ingest step/);
});

test('pool rows read a shard at a time are the bytes of the whole-pool buffer, across shard edges', async () => {
  const out = await cropAllBoxes({
    root,
    boxes: ingest.boxes,
    outDir: path.join(dir, 'rows'),
    seed: 3,
    shardSize: 16,
  });
  const whole = await loadCropPoolDir(out.pool.dir);
  const rows = new ShardedCropRows(out.pool.dir, await readCropIndex(out.pool.dir));
  const per = whole.size * whole.size * 3;
  // Ranges like the features stage's photo groups: odd lengths that start and end inside shards.
  for (let start = 0; start < whole.n; start += 7) {
    const n = Math.min(13, whole.n - start);
    const got = await rows.rows(start, n);
    assert.ok(Buffer.from(got).equals(Buffer.from(whole.pixels.subarray(start * per, (start + n) * per))));
  }
  await assert.rejects(rows.rows(whole.n - 1, 2), /outside the pool's/);
});

test('the streamed ingest counts what ingest counts and writes the same box file, grouped CSV or not', async () => {
  const { root: other } = await tinyDataset(dir, 'mixed', 4103, 4);
  const csv = path.join(other, 'annotations', 'annotations_train.csv');
  const [first] = (await readFile(csv, 'utf8')).split('\n');
  const [image, , , , , , w, h] = first!.split(',');
  // A malformed row, a box leaving the image (clipped), and the first photo coming back at the end of the file.
  await appendFile(
    csv,
    `not,a,row\n${image},1,1,${Number(w) + 9},5,object,${w},${h}\n${image},2,3,9,9,object,${w},${h}\n`,
  );
  const whole = await ingestSku110k({ root: other });
  const { boxes, ...counted } = whole;
  assert.ok(counted.counts.badRows > 0 && counted.warnings.box_clipped.count > 0, 'the extra rows were seen');
  assert.notDeepEqual(
    boxes.map((b) => b.boxId),
    inPhotoOrder(boxes).map((b) => b.boxId),
    'the CSV is not grouped by photo: the writer must regroup',
  );
  const file = path.join(dir, 'streamed.ndjson');
  const writer = await BoxRecordsWriter.open(file);
  const summary = await ingestSku110kStreamed({ root: other }, (box) => writer.add(box));
  const written = await writer.close();
  assert.deepEqual(summary, counted);
  const expected = path.join(dir, 'expected.ndjson');
  assert.deepEqual(written, await writeBoxRecords(expected, boxes));
  assert.ok((await readFile(file)).equals(await readFile(expected)), 'the same records in the same order');
});

test('old single-document boxes.json and features index.json artefacts are refused with the step to re-run', () => {
  const boxes = BoxTableSchema.safeParse({ classes: ['a', 'b'], boxes: [], labels: [] });
  assert.ok(!boxes.success);
  assert.match(
    formatZodError(boxes.error, 'boxes.json'),
    /version: .*old single-document format; re-run the ingest step/,
  );
  const features = FeatureIndexSchema.safeParse({
    format: 'shelfssl-features',
    version: 2,
    dtype: 'float32',
    dim: 4,
    count: 0,
    shards: [],
    entries: [],
  });
  assert.ok(!features.success);
  assert.match(formatZodError(features.error, 'index.json'), /version: .*re-run the features step/);
});
