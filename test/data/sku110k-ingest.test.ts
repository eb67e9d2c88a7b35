import assert from 'node:assert/strict';
import { appendFile, copyFile, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  BadInputShareError,
  DatasetLayoutError,
  type IngestResult,
  ingestSku110k,
} from '../../data/sku110k/index.js';
import { solidJpeg, solidPng, tempDir, tinyDataset } from '../fixtures/tiny-dataset.js';

let dir = '';
let root = '';
let cleanup: () => Promise<void> = async () => {};
let originalBoxes = 0;
let result: IngestResult;

// One dataset with one or more fixture rows per bad reason appended to the generated (good) CSV.
before(async () => {
  ({ dir, cleanup } = await tempDir('ingest'));
  const tiny = await tinyDataset(dir);
  root = tiny.root;
  originalBoxes = tiny.result.boxes;
  const images = path.join(root, 'images');
  const real = await readFile(path.join(images, 'train_0.jpg'));
  await writeFile(path.join(images, 'truncated.jpg'), real.subarray(0, Math.floor(real.length / 2)));
  await writeFile(path.join(images, 'garbage.jpg'), Buffer.from('this is not an image at all'));
  await writeFile(path.join(images, 'png.jpg'), await solidPng(240, 180));
  // A perfectly good image outside the dataset: if it were ever read, its rows would count as good.
  await writeFile(path.join(dir, 'secret.jpg'), await solidJpeg(240, 180));
  await symlink(path.join(dir, 'secret.jpg'), path.join(images, 'link.jpg'));
  await copyFile(path.join(images, 'train_0.jpg'), path.join(images, 'spare.jpg'));
  const csv = path.join(root, 'annotations', 'annotations_train.csv');
  const firstLine = (await readFile(csv, 'utf8')).split('\n')[0]!;
  const rows = [
    'train_0.jpg,1,2,3', // wrong column count
    'train_0.jpg,a,2,30,40,object,240,180', // non-numeric
    'train_0.jpg,1.5,2,30,40,object,240,180',
    'train_0.jpg,30,2,10,40,object,240,180',
    'train_0.jpg,10,2,10,40,object,240,180',
    'train_0.jpg,-5,10,30,40,object,240,180', // pokes out: clipped, kept
    'train_0.jpg,300,10,320,40,object,240,180', // wholly outside
    'train_0.jpg,1,2,30,40,object,999,180',
    'nope.jpg,1,2,30,40,object,240,180',
    'truncated.jpg,1,2,30,40,object,240,180',
    'garbage.jpg,1,2,30,40,object,240,180',
    'png.jpg,1,2,30,40,object,240,180', // PNG named .jpg: accepted
    '../secret.jpg,1,2,30,40,object,240,180',
    `${path.join(dir, 'secret.jpg')},1,2,30,40,object,240,180`,
    'link.jpg,1,2,30,40,object,240,180',
    firstLine, // duplicate
  ];
  await appendFile(csv, `${rows.join('\n')}\n`);
  await appendFile(csv, Buffer.from([0x74, 0xff, 0xfe, 0x2c, 0x31, 0x0a])); // not UTF-8
  result = await ingestSku110k({ root, maxBadShare: 1, examplesPerReason: 3 });
});
after(() => cleanup());

test('every bad reason is counted with an example naming the line', () => {
  const expected: Record<string, number> = {
    malformed_row: 3,
    non_integer_coordinate: 1,
    inverted_coordinates: 1,
    zero_area_box: 1,
    box_outside_image: 1,
    image_size_mismatch: 1,
    missing_image: 1,
    unreadable_image: 2,
    unsafe_image_path: 3,
    duplicate_row: 1,
  };
  for (const [reason, count] of Object.entries(expected)) {
    const entry = result.bad[reason as keyof IngestResult['bad']];
    assert.equal(entry.count, count, `${reason}: ${JSON.stringify(entry)}`);
    assert.ok(entry.examples.length > 0, `${reason} has an example`);
    assert.equal(entry.examples[0]!.file, 'annotations_train.csv');
    assert.ok(entry.examples[0]!.line > 0);
    assert.ok(entry.examples[0]!.detail.length > 0);
  }
  assert.match(result.bad.malformed_row.examples.map((e) => e.detail).join(' | '), /columns.*x1.*UTF-8/s);
  assert.match(result.bad.unreadable_image.examples.map((e) => e.detail).join(' | '), /truncated/);
  assert.equal(result.counts.badRows, 15);
});

test('good rows are all kept, including clipped boxes and a PNG named .jpg', () => {
  assert.equal(result.counts.goodBoxes, originalBoxes + 2);
  assert.equal(result.counts.rows, originalBoxes + 17);
  const clipped = result.boxes.find(
    (b) => b.image === 'train_0.jpg' && b.x1 === 0 && b.y1 === 10 && b.x2 === 30,
  );
  assert.ok(clipped, 'the box poking out of the image is clipped to x1 = 0 and kept');
  assert.equal(result.warnings.box_clipped.count, 1);
  assert.ok(result.boxes.some((b) => b.image === 'png.jpg'));
  assert.equal(result.warnings.format_mismatch.count, 1);
  assert.match(result.warnings.format_mismatch.examples[0]!.detail, /png/);
  assert.equal(result.warnings.unannotated_image.count, 1, 'spare.jpg has no rows');
});

test('box ids are stable and unique, and images are listed with their size', () => {
  const ids = new Set(result.boxes.map((b) => b.boxId));
  assert.equal(ids.size, result.boxes.length);
  assert.ok(ids.has('train/train_0.jpg#0'));
  const train0 = result.images.find((i) => i.name === 'train_0.jpg');
  assert.deepEqual(train0, { name: 'train_0.jpg', split: 'train', width: 240, height: 180 });
  assert.equal(result.counts.images, result.images.length);
  const sum = Object.values(result.counts.bySplit).reduce((a, s) => a + s.goodBoxes, 0);
  assert.equal(sum, result.counts.goodBoxes);
});

test('names escaping the dataset are refused without reading the file', () => {
  assert.ok(!result.boxes.some((b) => b.image.includes('secret') || b.image === 'link.jpg'));
  assert.ok(!result.images.some((i) => i.name.includes('secret') || i.name === 'link.jpg'));
  const details = result.bad.unsafe_image_path.examples.map((e) => e.detail).join(' | ');
  assert.match(details, /escapes/);
  assert.match(details, /absolute/);
  assert.match(details, /link that points outside/);
});

test('boxPolicy drop rejects boxes that poke out instead of clipping them', async () => {
  const dropped = await ingestSku110k({ root, maxBadShare: 1, boxPolicy: 'drop' });
  assert.equal(dropped.bad.box_outside_image.count, 2);
  assert.equal(dropped.warnings.box_clipped.count, 0);
  assert.equal(dropped.counts.goodBoxes, result.counts.goodBoxes - 1);
});

test('too many bad rows throws BadInputShareError after a full pass, carrying the counts', async () => {
  await assert.rejects(ingestSku110k({ root }), (error: unknown) => {
    assert.ok(error instanceof BadInputShareError);
    assert.match(error.message, /15 of \d+ annotation rows/);
    assert.match(error.message, /unsafe_image_path: 3/);
    assert.equal(error.result.counts.goodBoxes, result.counts.goodBoxes);
    return true;
  });
});

test('a folder without annotations is a layout error, not a crash', async () => {
  await assert.rejects(ingestSku110k({ root: dir }), DatasetLayoutError);
  await assert.rejects(ingestSku110k({ root, maxBadShare: 2 }), /maxBadShare/);
});
