// The SwAV training sheet: per-epoch loss and k-NN monitor rows, collapse retries, and the rendered chart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import ExcelJS from 'exceljs';
import { parseReportInput } from '../../report/model.js';
import { pretrainingChartSpec } from '../../report/pretraining.js';
import { PRETRAINING_SHEET } from '../../report/sheets/pretraining-sheet.js';
import { buildWeeklyReport } from '../../report/workbook.js';
import { sampleReportInput } from './sample-input.js';

const LN_K = Math.log(32);
const swav = {
  backbone: 'swav',
  lnK: LN_K,
  knnAtInit: 0.5,
  epochs: [
    { epoch: 1, loss: 3.4, knn: 0.52 },
    { epoch: 2, loss: 3.1, knn: 0.58 },
    { epoch: 3, loss: 2.6, knn: 0.63 },
  ],
  collapseRetries: [{ detectedAtEpoch: 3, restartedFromEpoch: 1, changes: 'swav.epsilon: 0.03' }],
};

async function readBack(input: unknown): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await buildWeeklyReport(parseReportInput(input))) as unknown as ExcelJS.Buffer);
  return workbook;
}

test('a report with a pretrained SwAV backbone has its training sheet: epochs, k-NN, the retry and a chart', async () => {
  const workbook = await readBack({ ...sampleReportInput(), pretraining: [swav] });
  const sheet = workbook.getWorksheet(PRETRAINING_SHEET);
  assert.ok(sheet, 'sheet present');
  const rows: unknown[][] = [];
  sheet.eachRow((row) => {
    rows.push(Array.isArray(row.values) ? row.values.slice(1) : []);
  });
  const init = rows[2] ?? [];
  assert.deepEqual([init[0], init[1], init[3], init[4]], ['swav', 0, LN_K, 0.5], 'epoch 0: random init');
  assert.deepEqual(
    rows.slice(3, 6).map((r) => [r[1], r[2], r[4]]),
    [
      [1, 3.4, 0.52],
      [2, 3.1, 0.58],
      [3, 2.6, 0.63],
    ],
  );
  assert.match(String(rows[6]?.[1]), /collapse at epoch 3: retried from epoch 1 with swav\.epsilon: 0\.03/);
  assert.equal(sheet.getImages().length, 1, 'the chart is embedded');
});

test('without SwAV backbones there is no training sheet; a bad history names its field', async () => {
  const plain = await readBack(sampleReportInput());
  assert.equal(plain.getWorksheet(PRETRAINING_SHEET), undefined);
  assert.throws(
    () => parseReportInput({ ...sampleReportInput(), pretraining: [{ ...swav, epochs: [{ epoch: 1 }] }] }),
    /pretraining\[0\]\.epochs\[0\]\.loss/,
  );
});

test('the chart marks the epoch a retry restarted from and starts the k-NN curve at random init', () => {
  const spec = JSON.stringify(pretrainingChartSpec([swav]));
  assert.match(spec, /"strokeDash":\[4,4\]/);
  assert.match(spec, /\{"backbone":"swav","epoch":1\}/);
  assert.match(spec, /"epoch":0,"knnPct":50/);
});
