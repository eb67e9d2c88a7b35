import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iou, matchLabels, parseLabelCsv } from '../../data/labels/index.js';
import { isHeaderRow } from '../../data/labels/read-label-csv.js';
import type { BoxRow } from '../../data/sku110k/types.js';

function box(image: string, n: number, x1: number, y1: number, x2: number, y2: number): BoxRow {
  return {
    boxId: `train/${image}#${n}`,
    split: 'train',
    image,
    x1,
    y1,
    x2,
    y2,
    imageWidth: 200,
    imageHeight: 100,
  };
}

const boxes = [
  box('a.jpg', 0, 0, 0, 40, 50),
  box('a.jpg', 1, 50, 0, 90, 50),
  box('a.jpg', 2, 100, 0, 140, 50),
  box('b.jpg', 0, 0, 0, 40, 50),
];

const csv = [
  'a.jpg,0,0,40,50,coat,200,100', // exact
  'a.jpg,52,1,91,50,dress,200,100', // IoU ~0.9 with box 1
  'a.jpg,100,0,140,50,hat,200,100', // unknown class
  'a.jpg,150,60,190,99,coat,200,100', // matches nothing
  'b.jpg,0,0,40,50,shirt,200,100',
  'b.jpg,0,0,40,50,coat,200,100', // conflicts with the row above
  'a.jpg,0,0,40,50,coat,200,100', // repeats the first row
  'a.jpg,1,2,3', // malformed
].join('\n');

test('iou of identical, disjoint and half-overlapping boxes', () => {
  const a = { x1: 0, y1: 0, x2: 10, y2: 10 };
  assert.equal(iou(a, a), 1);
  assert.equal(iou(a, { x1: 10, y1: 0, x2: 20, y2: 10 }), 0);
  assert.equal(iou(a, { x1: 5, y1: 0, x2: 15, y2: 10 }), 50 / 150);
});

test('labels match exactly first, then by IoU, and problems are counted like bad rows', () => {
  const parsed = parseLabelCsv(Buffer.from(csv), 'labels.csv');
  assert.equal(parsed.bad.malformed_row.count, 1);
  assert.equal(parsed.rows.length, 7);
  const result = matchLabels(boxes, parsed.rows, {
    classes: ['tshirt', 'pullover', 'dress', 'coat', 'shirt'],
  });
  assert.deepEqual(result.labels, [
    { boxId: 'train/a.jpg#0', label: 3 },
    { boxId: 'train/a.jpg#1', label: 2 },
  ]);
  assert.equal(result.counts.exact, 2);
  assert.equal(result.counts.byIou, 1);
  assert.equal(result.bad.unknown_class.count, 1);
  assert.match(result.bad.unknown_class.examples[0]!.detail, /'hat' is not one of/);
  assert.equal(result.bad.no_matching_box.count, 1);
  assert.equal(result.bad.no_matching_box.examples[0]!.line, 4);
  assert.equal(result.bad.conflicting_label.count, 1);
  assert.equal(result.warnings.duplicate_label.count, 1);
  assert.deepEqual(result.counts.perClass, [0, 0, 1, 1, 0]);
});

test('a stricter IoU threshold rejects the near match', () => {
  const parsed = parseLabelCsv(Buffer.from(csv), 'labels.csv');
  const result = matchLabels(boxes, parsed.rows, { iouThreshold: 0.95 });
  assert.equal(result.counts.byIou, 0);
  assert.equal(result.bad.no_matching_box.count, 2);
});

test('options are validated with a message naming the field', () => {
  assert.throws(() => matchLabels(boxes, [], { iouThreshold: 2 }), /iouThreshold/);
  assert.throws(() => matchLabels(boxes, [], { classes: ['a', 'a'] }), /unique/);
});

test('a header row is recognised as one, not counted as a bad row', () => {
  const withHeader = `image_name,x1,y1,x2,y2,class,image_width,image_height\n${csv}`;
  const parsed = parseLabelCsv(Buffer.from(withHeader), 'labels.csv');
  assert.equal(parsed.header, true);
  assert.equal(parsed.bad.malformed_row.count, 1, 'only the truly malformed row');
  assert.equal(parsed.lines, csv.split('\n').length);
  assert.equal(isHeaderRow('Image,XMin,YMin,XMax,YMax,Label,Width,Height'), true);
  assert.equal(isHeaderRow('a.jpg,0,0,40,50,coat,200,100'), false);
  assert.equal(parseLabelCsv(Buffer.from(csv), 'labels.csv').header, undefined);
});

test("labels of an image that was not ingested (missing file) blame the image, not the row's box", () => {
  const parsed = parseLabelCsv(Buffer.from('gone.jpg,0,0,40,50,coat,200,100\n'), 'labels.csv');
  const result = matchLabels(boxes, parsed.rows, {});
  assert.equal(result.bad.image_not_ingested.count, 1);
  assert.match(result.bad.image_not_ingested.examples[0]!.detail, /gone\.jpg has no ingested box/);
  assert.equal(result.bad.no_matching_box.count, 0);
});
