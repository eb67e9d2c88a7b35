import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import sharp from 'sharp';
import { cropShelfImages } from '../../data/crop/index.js';
import { matchLabels, readLabelCsv } from '../../data/labels/index.js';
import { previewDataset } from '../../data/preview.js';
import { ingestSku110k } from '../../data/sku110k/index.js';
import { tempDir, tinyDataset } from '../fixtures/tiny-dataset.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
before(async () => {
  ({ dir, cleanup } = await tempDir('preview'));
});
after(() => cleanup());

test('preview writes a contact sheet (row per class + unlabelled) and a shelf with boxes', async () => {
  const { root } = await tinyDataset(dir, 'shelves', 9, 4);
  const ingest = await ingestSku110k({ root });
  const labels = matchLabels(ingest.boxes, (await readLabelCsv(path.join(root, 'labels.csv'))).rows);
  const cropDir = path.join(dir, 'crops');
  await cropShelfImages({ root, boxes: ingest.boxes, labels: labels.labels, outDir: cropDir, seed: 1 });
  const out = await previewDataset({ root, cropDir, out: path.join(dir, 'preview'), perClass: 6, zoom: 2 });
  const sheet = await sharp(out.contactSheet!).metadata();
  assert.equal(sheet.format, 'png');
  assert.equal(sheet.height, 6 * (64 + 4) + 4, '5 classes + 1 unlabelled row of 64 px cells');
  assert.equal(sheet.width, 7 * (64 + 4) + 4);
  const shelf = await sharp(out.shelf!).metadata();
  assert.deepEqual([shelf.format, shelf.width, shelf.height], ['png', 240, 180]);
});
