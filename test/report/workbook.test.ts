import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import ExcelJS, { type CellValue, type Worksheet } from 'exceljs';
import { parseReportInput } from '../../report/model.js';
import { buildWeeklyReport } from '../../report/workbook.js';
import { sampleReportInput } from './sample-input.js';

let dir = '';
let workbook: ExcelJS.Workbook;

/** Builds the sample report, writes it to disk and reads it back, as a reader of the file would. */
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shelfssl-report-'));
  const path = join(dir, 'weekly.xlsx');
  await writeFile(path, await buildWeeklyReport(parseReportInput(sampleReportInput())));
  workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(path);
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function sheet(name: string): Worksheet {
  const found = workbook.getWorksheet(name);
  assert.ok(found, `missing sheet ${name}`);
  return found;
}

function rowValues(ws: Worksheet, row: number): CellValue[] {
  const values = ws.getRow(row).values;
  return Array.isArray(values) ? values.slice(1) : [];
}

function findRow(ws: Worksheet, firstCell: string): number {
  for (let r = 1; r <= ws.rowCount; r++) if (ws.getCell(r, 1).value === firstCell) return r;
  assert.fail(`no row starting with ${firstCell} on ${ws.name}`);
}

test('the workbook has the seven sheets in reading order', () => {
  assert.deepEqual(
    workbook.worksheets.map((ws) => ws.name),
    ['Summary', 'Per class', 'Confusion', 'Shelf share', 'Data quality', 'Lineage', 'Chart'],
  );
});

test('Summary: title, headline, frozen header and Table 2 rows', () => {
  const ws = sheet('Summary');
  assert.equal(ws.getCell('A1').value, 'Shelf SKU classifier — label efficiency — 2026-W48');
  assert.match(
    String(ws.getCell('A3').value),
    /^At 10 % labels, swav \+ semi-supervised head reaches 73\.5 %/,
  );
  assert.deepEqual(rowValues(ws, 5), [
    'Backbone',
    'Head',
    '% labelled',
    'Accuracy (mean)',
    'Accuracy (std)',
    'Accuracy (mean ± std)',
    'L-BFGS iterations (mean)',
    'Training time (s, mean)',
    'Seeds',
  ]);
  assert.equal(ws.rowCount, 5 + 12);
  const swav10 = findSummaryRow(ws, 'swav', 'supervised', 10);
  assert.ok(Math.abs(Number(ws.getCell(swav10, 4).value) - 0.712) < 1e-9);
  assert.ok(Math.abs(Number(ws.getCell(swav10, 5).value) - 0.01) < 1e-9);
  assert.equal(ws.getCell(swav10, 6).value, '71.2 % ± 1.0');
  assert.equal(ws.getCell(swav10, 9).value, 3);
  assert.equal(ws.getCell(swav10, 4).numFmt, '0.0%');
  assert.equal(ws.views[0]?.state, 'frozen');
  assert.equal((ws.views[0] as { ySplit?: number }).ySplit, 5);
});

function findSummaryRow(ws: Worksheet, backbone: string, head: string, fraction: number): number {
  for (let r = 6; r <= ws.rowCount; r++) {
    const [b, h, f] = rowValues(ws, r);
    if (b === backbone && h === head && f === fraction) return r;
  }
  assert.fail(`no summary row for ${backbone} ${head} ${fraction}`);
}

test('Summary and Confusion carry colour-scale conditional formats', () => {
  const rules = (ws: Worksheet) =>
    (ws as unknown as { conditionalFormattings: { ref: string; rules: { type: string }[] }[] })
      .conditionalFormattings;
  const summary = rules(sheet('Summary'));
  assert.deepEqual(
    summary.map((cf) => [cf.ref, cf.rules[0]?.type]),
    [['D6:D17', 'colorScale']],
  );
  const confusion = rules(sheet('Confusion'));
  assert.equal(confusion.length, 2);
  assert.ok(confusion.every((cf) => cf.rules[0]?.type === 'colorScale'));
  assert.deepEqual(
    confusion.map((cf) => [cf.ref, (cf.rules[0] as { priority?: number }).priority]),
    [
      ['B6:F10', 1],
      ['B14:F18', 2],
    ],
  );
});

test('Per class: a block per backbone naming its best configuration', () => {
  const ws = sheet('Per class');
  const label = findRow(ws, 'swav — best: swav + semi-supervised head at 100 % labels (3 seeds)');
  assert.deepEqual(rowValues(ws, label + 1), ['Class', 'Precision', 'Recall', 'F1', 'Support']);
  assert.equal(ws.getCell(label + 2, 1).value, 't-shirt');
  // Seeds at 78 %, 79 %, 80 % of 200 crops → recall (156 + 158 + 160) / 3 / 200.
  assert.ok(Math.abs(Number(ws.getCell(label + 2, 3).value) - 0.79) < 1e-9);
  assert.equal(ws.getCell(label + 2, 5).value, 200);
  assert.equal(ws.getCell(label + 7, 1).value, 'Macro average');
  assert.equal(ws.getCell(label + 7, 5).value, 1000);
  findRow(ws, 'random-init — best: random-init + semi-supervised head at 100 % labels (3 seeds)');
});

test('Confusion: class names on both axes, the note, counts summed over seeds', () => {
  const ws = sheet('Confusion');
  assert.equal(ws.getCell('A2').value, 'rows = true, columns = predicted; counts summed over seeds');
  const header = findRow(ws, 'true \\ predicted');
  assert.deepEqual(rowValues(ws, header), [
    'true \\ predicted',
    't-shirt',
    'pullover',
    'dress',
    'coat',
    'shirt',
  ]);
  // First block: random-init + semi-supervised at 100 %, seeds at 69.5 / 70.5 / 71.5 % of 200 crops.
  assert.deepEqual(rowValues(ws, header + 1), ['t-shirt', 139 + 141 + 143, 600 - (139 + 141 + 143), 0, 0, 0]);
});

test('Shelf share: per-image counts and shares, with a total row', () => {
  const ws = sheet('Shelf share');
  const headers = rowValues(ws, 2);
  assert.deepEqual(headers.slice(0, 4), ['Image', 'Store', 'Total facings', 't-shirt (facings)']);
  assert.equal(headers.at(-1), 'shirt (share)');
  assert.deepEqual(rowValues(ws, 3).slice(0, 8), ['test_0.jpg', 'Store 12', 30, 12, 8, 5, 3, 2]);
  const total = findRow(ws, 'Total');
  assert.equal(total, 6);
  assert.deepEqual(rowValues(ws, total).slice(2, 8), [75, 20, 14, 20, 13, 8]);
  assert.ok(Math.abs(Number(ws.getCell(total, 9).value) - 20 / 75) < 1e-12);
  assert.equal(ws.getCell(total, 9).numFmt, '0.0%');
});

test('Data quality: counts and rejected rows by reason, most frequent first', () => {
  const ws = sheet('Data quality');
  assert.deepEqual(rowValues(ws, findRow(ws, 'Good boxes')), ['Good boxes', 1190]);
  assert.deepEqual(rowValues(ws, findRow(ws, 'Images (test)')), ['Images (test)', 6]);
  assert.deepEqual(rowValues(ws, findRow(ws, 'Unlabelled')), ['Unlabelled', 620]);
  const header = findRow(ws, 'Reason');
  assert.deepEqual(rowValues(ws, header + 1), ['zero-area box', 11, 'train_3.jpg:17; train_9.jpg:2']);
  assert.deepEqual(rowValues(ws, header + 2), ['box outside image', 7, 'val_1.jpg:40']);
});

test('Lineage: one row per artefact', () => {
  const ws = sheet('Lineage');
  assert.deepEqual(rowValues(ws, 1), [
    'Stage',
    'Key',
    'Digest',
    'Code version',
    'Params hash',
    'Duration (s)',
    'Cache hit',
    'Nodes',
  ]);
  assert.equal(ws.rowCount, 4);
  assert.deepEqual(rowValues(ws, 3), [
    'crop',
    'crop/99ab',
    'sha256:00000009',
    'v0.1.0',
    'p-crop',
    45.5,
    'yes',
  ]);
});

test('Chart: the accuracy chart is embedded as one PNG', () => {
  const images = sheet('Chart').getImages();
  assert.equal(images.length, 1);
  const media = workbook.getImage(Number(images[0]?.imageId));
  assert.equal(media.extension, 'png');
});

test('an ad-hoc run without stores or results still builds every sheet', async () => {
  const base = sampleReportInput();
  const input = parseReportInput({
    ...base,
    weekLabel: undefined,
    results: [],
    shelfShare: base.shelfShare.map(({ store: _store, ...row }) => row),
    dataQuality: { ...base.dataQuality, bad: {} },
  });
  const adHoc = new ExcelJS.Workbook();
  const xlsx = await buildWeeklyReport(input);
  // exceljs types its Buffer as an ArrayBuffer look-alike; at run time it reads a Node Buffer.
  await adHoc.xlsx.load(xlsx as unknown as ExcelJS.Buffer);
  assert.equal(adHoc.worksheets.length, 7);
  const summary = adHoc.getWorksheet('Summary');
  assert.equal(summary?.getCell('A1').value, 'Shelf SKU classifier — label efficiency — ad-hoc run');
  assert.equal(summary?.getCell('A3').value, 'No training results in this run.');
  assert.equal(adHoc.getWorksheet('Shelf share')?.getCell('B2').value, 'Total facings');
});

test('a run with a failed backbone: Summary says so, the Failed sheet names node, stage, error and re-run', async () => {
  const base = sampleReportInput();
  const error = 'Activity task failed: pretrain: SwAV collapsed (all crops in one prototype)';
  const input = parseReportInput({
    ...base,
    results: base.results.filter((r) => r.backbone !== 'swav'),
    failures: {
      failed: [
        { node: 'backbone@swav', stage: 'pretrain', error, rerun: 'shelfssl rerun run-1 --stage pretrain' },
      ],
      missing: ['10pct', '50pct'].map((p) => ({
        input: `eval/swav/supervised/${p}/seed1`,
        node: `eval@swav/supervised/${p}/seed1`,
        upstream: ['backbone@swav'],
      })),
    },
  });
  const partial = new ExcelJS.Workbook();
  await partial.xlsx.load((await buildWeeklyReport(input)) as unknown as ExcelJS.Buffer);
  assert.deepEqual(
    partial.worksheets.map((ws) => ws.name),
    ['Summary', 'Failed', 'Per class', 'Confusion', 'Shelf share', 'Data quality', 'Lineage', 'Chart'],
  );
  const summary = partial.getWorksheet('Summary')!;
  assert.equal(
    summary.getCell('A4').value,
    'Incomplete: 1 stage(s) failed (backbone@swav); 2 result(s) missing — see the "Failed" sheet.',
  );
  assert.deepEqual(rowValues(summary, 5).slice(0, 3), ['Backbone', 'Head', '% labelled']);
  assert.equal(summary.rowCount, 5 + 6, 'the random-init rows that succeeded');
  const failed = partial.getWorksheet('Failed')!;
  const header = findRow(failed, 'Node');
  assert.deepEqual(rowValues(failed, header), ['Node', 'Stage', 'Error', 'Re-run with']);
  assert.deepEqual(rowValues(failed, header + 1), [
    'backbone@swav',
    'pretrain',
    error,
    'shelfssl rerun run-1 --stage pretrain',
  ]);
  const missing = findRow(failed, 'Missing result');
  assert.deepEqual(rowValues(failed, missing + 2), [
    'eval/swav/supervised/50pct/seed1',
    'eval@swav/supervised/50pct/seed1',
    'skipped (upstream: backbone@swav)',
  ]);
});
