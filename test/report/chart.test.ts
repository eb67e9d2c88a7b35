import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { CHART_HEIGHT, CHART_WIDTH, renderAccuracyChart } from '../../report/chart.js';
import { sampleReportInput } from './sample-input.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

test('renderAccuracyChart returns a PNG larger than the plot area', async () => {
  const png = await renderAccuracyChart(sampleReportInput());
  // Set SHELFSSL_CHART_OUT to keep the picture for a look by eye.
  const out = process.env['SHELFSSL_CHART_OUT'];
  if (out) await writeFile(out, png);
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  assert.ok(width > CHART_WIDTH && height > CHART_HEIGHT, `unexpected size ${width}×${height}`);
});

test('renderAccuracyChart copes with a run that has no results yet', async () => {
  const png = await renderAccuracyChart({ ...sampleReportInput(), results: [] });
  assert.deepEqual(png.subarray(0, 8), PNG_SIGNATURE);
});

test('a chart drawn again in the same process is the same picture, and the caller owns its copy', async () => {
  const first = await renderAccuracyChart(sampleReportInput());
  const kept = Buffer.from(first);
  first.fill(0);
  const again = await renderAccuracyChart(sampleReportInput());
  assert.deepEqual(again, kept, 'overwriting a returned PNG does not change the next one');
  const other = await renderAccuracyChart({ ...sampleReportInput(), title: 'another week' });
  assert.notDeepEqual(other, kept, 'another spec is drawn anew');
});
