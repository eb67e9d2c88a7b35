import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { BoxIndex } from '../../data/labels/box-index.js';
import { iou, matchLabels, readLabelCsv } from '../../data/labels/index.js';
import type { LabelRow } from '../../data/labels/read-label-csv.js';
import { decodeNpy, NpyFormatError } from '../../data/npy.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { type BoxRow, ingestSku110k } from '../../data/sku110k/index.js';
import { mulberry32 } from '../../ml/random.js';
import { RunConfigSchema } from '../../pipelines/paper.js';
import { ArtefactWriter, type Bucket, bucketOf, readArtefactFile } from '../../store/artefacts.js';
import { ensureBucket, ObjectTooLargeError } from '../../store/s3.js';
import { harnessRoot, testSettings } from '../support/env.js';

/** One line of `bytes` bytes with no newline: what a broken export or an attacker can put in a CSV. */
const HUGE_LINE = 32 * 2 ** 20;

describe('limits on CSVs and images', () => {
  let shelves: string;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(path.join(harnessRoot(), 'limits-'));
    shelves = path.join(dir, 'shelves');
    await makeShelves({ ...tinyShelvesOptions(shelves, 29, 4), labelShare: 0.6 });
  });

  it('counts an over-long annotation line as one malformed row with a short example', async () => {
    const data = path.join(dir, 'long-line');
    cpSync(shelves, data, { recursive: true });
    appendFileSync(path.join(data, 'annotations', 'annotations_train.csv'), `${'A'.repeat(HUGE_LINE)}\n`);
    const result = await ingestSku110k({ root: data, maxBadShare: 1 });
    const malformed = result.bad.malformed_row;
    assert.equal(malformed.count, 1);
    const example = malformed.examples[0]!;
    assert.match(example.detail, /longer than 4096 bytes/);
    assert.ok(example.text.length < 200, `the example is cut, not ${example.text.length} characters`);
    assert.ok(result.counts.goodBoxes > 0, 'the other rows are still read');
  });

  it('counts an over-long label line the same way', async () => {
    const file = path.join(dir, 'labels-long.csv');
    writeFileSync(file, `x.jpg,1,1,5,5,shirt,10,10\n${'B'.repeat(HUGE_LINE)}\ny.jpg,1,1,5,5,shirt,10,10\n`);
    const csv = await readLabelCsv(file);
    assert.equal(csv.rows.length, 2);
    assert.equal(csv.bad.malformed_row.count, 1);
    assert.ok(csv.bad.malformed_row.examples[0]!.text.length < 200);
  });

  it('fails past ingest.maxRows annotation rows instead of holding them all', async () => {
    await assert.rejects(
      ingestSku110k({ root: shelves, maxBadShare: 1, maxRows: 3 }),
      /more than ingest\.maxRows/,
    );
  });

  it('rejects images above ingest.maxImagePixels before decoding them', async () => {
    const result = await ingestSku110k({ root: shelves, maxBadShare: 1, maxImagePixels: 1000 });
    assert.equal(result.counts.goodBoxes, 0);
    assert.match(
      JSON.stringify(result.bad.unreadable_image.examples),
      /above ingest\.maxImagePixels \(1000\)/,
    );
  });
});

describe('label matching is indexed per image', () => {
  const box = (i: number, x: number, y: number, w: number, h: number): BoxRow => ({
    boxId: `train/a.jpg#${i}`,
    split: 'train',
    image: 'a.jpg',
    x1: x,
    y1: y,
    x2: x + w,
    y2: y + h,
    imageWidth: 100_000,
    imageHeight: 100_000,
  });

  it('looks at a handful of neighbours of a label, not every box of a crowded image', () => {
    const boxes = Array.from({ length: 100_000 }, (_, i) =>
      box(i, (i % 1000) * 40, Math.floor(i / 1000) * 40, 30, 30),
    );
    const index = new BoxIndex(boxes);
    const near = index.overlapping({ x1: 405, y1: 405, x2: 430, y2: 430 });
    assert.ok(near.length > 0 && near.length <= 9, `${near.length} candidates`);
    assert.ok(near.some((b) => b.x1 === 400 && b.y1 === 400));
  });

  it('matches exactly as a full scan would (random boxes, ties, exact hits)', () => {
    const rng = mulberry32(11);
    const int = (n: number) => rng.int(n);
    const boxes = Array.from({ length: 400 }, (_, i) => box(i, int(900), int(900), 5 + int(80), 5 + int(80)));
    boxes.push(box(400, 0, 0, 5000, 5000)); // one box over many cells
    const rows: LabelRow[] = Array.from({ length: 600 }, (_, i) => {
      const b = boxes[int(boxes.length)]!;
      const d = i % 3 === 0 ? 0 : int(20) - 10;
      return {
        image: 'a.jpg',
        x1: b.x1 + d,
        y1: b.y1,
        x2: b.x2 + d,
        y2: b.y2 - (i % 5),
        className: ['shirt', 'trouser'][i % 2]!,
        imageWidth: 1,
        imageHeight: 1,
        file: 'labels.csv',
        line: i + 1,
        text: '',
      };
    });
    const fast = matchLabels(boxes, rows, { classes: ['shirt', 'trouser'], iouThreshold: 0.3 });
    // The reference: every box of the image, the first of the highest IoU, then the same label rules.
    const assigned = new Map<string, number>();
    const conflicted = new Set<string>();
    for (const r of rows) {
      let best = boxes.find((b) => b.x1 === r.x1 && b.y1 === r.y1 && b.x2 === r.x2 && b.y2 === r.y2);
      if (!best) {
        let bestIou = 0;
        for (const b of boxes) {
          const o = iou(b, r);
          if (o > bestIou) [best, bestIou] = [b, o];
        }
        if (bestIou < 0.3) best = undefined;
      }
      if (!best) continue;
      const label = r.className === 'shirt' ? 0 : 1;
      const previous = assigned.get(best.boxId);
      if (previous !== undefined && previous !== label) conflicted.add(best.boxId);
      else assigned.set(best.boxId, label);
    }
    const expected = boxes
      .filter((b) => assigned.has(b.boxId) && !conflicted.has(b.boxId))
      .map((b) => ({ boxId: b.boxId, label: assigned.get(b.boxId)! }));
    assert.deepEqual(fast.labels, expected);
    assert.ok(fast.counts.byIou > 0 && fast.counts.exact > 0);
  });
});

describe('bounded parsing of stored data', () => {
  it('refuses an .npy header above 10000 bytes without parsing it', () => {
    const dict = `{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }`;
    const text = `${dict}${' '.repeat(20_000)}\n`;
    const header = Buffer.alloc(12 + text.length);
    Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]).copy(header, 0);
    header.writeUInt32LE(text.length, 8);
    header.write(text, 12, 'latin1');
    const npy = Buffer.concat([header, Buffer.alloc(4)]);
    assert.throws(
      () => decodeNpy(npy),
      (e: Error) => e instanceof NpyFormatError && /above the 10000/.test(e.message),
    );
  });

  it('stops reading an artefact file at the size its manifest declares', async () => {
    const settings = testSettings('limits');
    const bucket: Bucket = bucketOf(settings);
    await ensureBucket(bucket.s3, settings.s3);
    const writer = new ArtefactWriter(bucket, 'crop', 'a1'.repeat(32));
    const file = await writer.putBuffer('small.bin', Buffer.from('tiny'));
    const { manifest } = await writer.publish({
      codeVersion: 1,
      params: {},
      inputs: {},
      metrics: {},
      startedAt: new Date(),
    });
    const grown = Buffer.alloc(8 * 2 ** 20, 1);
    await bucket.s3.putObject(bucket.bucket, file.objectKey, grown, grown.length);
    await assert.rejects(readArtefactFile(bucket, manifest, 'small.bin'), (e: Error) => {
      assert.ok(e instanceof ObjectTooLargeError, `${e.name}: ${e.message}`);
      return true;
    });
  });

  it('bounds numeric settings of a run config', () => {
    const base = { dataset: { location: '/data' } };
    assert.throws(
      () =>
        RunConfigSchema.parse({
          ...base,
          backbones: [{ name: 's', kind: 'swav', swav: { arch: { kind: 'small-resnet' }, epochs: 1e9 } }],
        }),
      /epochs/,
    );
    assert.throws(() => RunConfigSchema.parse({ ...base, crop: { shardSize: 1e12 } }), /shardSize/);
    assert.throws(
      () => RunConfigSchema.parse({ ...base, ingest: { maxImagePixels: 1e12 } }),
      /maxImagePixels/,
    );
  });
});
