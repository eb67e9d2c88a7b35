import assert from 'node:assert/strict';
import { appendFile, cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { DEFAULT_CLASSES } from '../../data/classes.js';
import { checkLabelFit, LabelsDoNotFitError, matchLabels, readLabelCsv } from '../../data/labels/index.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { type BoxRow, ingestSku110k } from '../../data/sku110k/index.js';
import { tempDir } from '../fixtures/tiny-dataset.js';

const OTHER_CLASSES = ['sandal', 'sneaker', 'bag'];
const GARMENTS = [...DEFAULT_CLASSES];

let dir = '';
let cleanup: () => Promise<void> = async () => {};
/** Generated shelves whose labels.csv names footwear and bags, not the default garments. */
let footwear = { root: '', boxes: [] as BoxRow[], perClass: {} as Record<string, number> };
let garments = { root: '', boxes: [] as BoxRow[] };

before(async () => {
  ({ dir, cleanup } = await tempDir('label-fit'));
  const other = await makeShelves({
    ...tinyShelvesOptions(path.join(dir, 'footwear'), 31, 6, OTHER_CLASSES),
    labelShare: 0.6,
  });
  footwear = {
    root: other.root,
    boxes: (await ingestSku110k({ root: other.root })).boxes,
    perClass: other.labelledPerClass,
  };
  const own = await makeShelves({
    ...tinyShelvesOptions(path.join(dir, 'garments'), 31, 6),
    labelShare: 0.6,
  });
  garments = { root: own.root, boxes: (await ingestSku110k({ root: own.root })).boxes };
});
after(() => cleanup());

/** Ingest's label step on generated files: read labels.csv, match it to the boxes, check the fit. */
async function labelStep(
  data: { root: string; boxes: BoxRow[] },
  classes: string[],
  maxBadLabelShare = 0.05,
): Promise<void> {
  const csv = await readLabelCsv(path.join(data.root, 'labels.csv'));
  const matched = matchLabels(data.boxes, csv.rows, { classes });
  checkLabelFit(csv, matched, { maxBadLabelShare, labelsName: 'labels.csv' });
}

function rejectsWith(pattern: RegExp[]): (error: unknown) => boolean {
  return (error) => {
    assert.ok(error instanceof LabelsDoNotFitError, `not a LabelsDoNotFitError: ${String(error)}`);
    for (const p of pattern) assert.match(error.message, p);
    return true;
  };
}

test('labels of other classes than dataset.classes fail, listing the CSV classes with counts', async () => {
  const rows = Object.values(footwear.perClass).reduce((a, b) => a + b, 0);
  const found = Object.entries(footwear.perClass)
    .sort(([a, m], [b, n]) => n - m || a.localeCompare(b))
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');
  await assert.rejects(
    labelStep(footwear, GARMENTS),
    rejectsWith([
      new RegExp(
        `${rows} of ${rows} label rows \\(100\\.0%\\) were rejected, above ingest\\.maxBadLabelShare 0\\.05`,
      ),
      new RegExp(`labels\\.csv has: ${found} \\(configured: ${GARMENTS.join(', ')}\\)`),
      /no labelled box for configured class\(es\): tshirt, pullover, dress, coat, shirt/,
      /set dataset\.classes/,
      /unknown_class: \d+ e\.g\. labels\.csv:1 /,
    ]),
  );
});

test('the same files pass once dataset.classes names their classes', async () => {
  await labelStep(footwear, OTHER_CLASSES);
  await labelStep(garments, GARMENTS);
});

test('a configured class without a single label fails even when no row is rejected', async () => {
  await assert.rejects(
    labelStep(garments, [...GARMENTS, 'hat']),
    rejectsWith([/no labelled box for configured class\(es\): hat\./, /set dataset\.classes/]),
  );
  // Labelling only a subset of the CSV's classes rejects the rest: above the share it fails too.
  await assert.rejects(
    labelStep(footwear, ['sandal', 'sneaker']),
    rejectsWith([/above ingest\.maxBadLabelShare/, /raise ingest\.maxBadLabelShare/]),
  );
  await labelStep(footwear, ['sandal', 'sneaker'], 1);
});

test('rejected rows up to maxBadLabelShare are tolerated, one more fails', async () => {
  const root = path.join(dir, 'garments-extra');
  await cp(garments.root, root, { recursive: true });
  const file = path.join(root, 'labels.csv');
  const lines = (await readFile(file, 'utf8')).trim().split('\n').length;
  // r extra rows of an unknown class make a share of r / (lines + r): at most 0.1 while r <= lines / 9.
  const unknownRow = 'train_0.jpg,1,1,9,9,spaceship,240,180\n';
  await appendFile(file, unknownRow.repeat(Math.floor(lines / 9)));
  await labelStep({ root, boxes: garments.boxes }, GARMENTS, 0.1);
  await appendFile(file, unknownRow);
  await assert.rejects(
    labelStep({ root, boxes: garments.boxes }, GARMENTS, 0.1),
    rejectsWith([/label rows \(\d+\.\d%\) were rejected, above ingest\.maxBadLabelShare 0\.1/, /spaceship/]),
  );
});

test('an empty labels.csv fails naming it, not with a share of nothing', async () => {
  const empty = path.join(dir, 'empty');
  await makeShelves({ ...tinyShelvesOptions(empty, 31, 2), labelShare: 0 });
  await assert.rejects(
    labelStep({ root: empty, boxes: (await ingestSku110k({ root: empty })).boxes }, GARMENTS),
    rejectsWith([/labels\.csv has no label rows/, /labels\.csv has: no parseable rows/]),
  );
});
