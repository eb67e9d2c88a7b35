import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseReportInput } from '../../report/model.js';
import { sampleReportInput } from './sample-input.js';

test('parseReportInput accepts the sample input unchanged', () => {
  const input = sampleReportInput();
  assert.deepEqual(parseReportInput(JSON.parse(JSON.stringify(input))), input);
});

test('parseReportInput accepts an ad-hoc run without a week label', () => {
  const { weekLabel: _omitted, ...adHoc } = sampleReportInput();
  assert.equal(parseReportInput(adHoc).weekLabel, undefined);
});

test('parseReportInput names the field holding a wrong type', () => {
  const raw = sampleReportInput() as unknown as { results: { seeds: { accuracy: unknown }[] }[] };
  raw.results[1]!.seeds[2]!.accuracy = '71%';
  assert.throws(() => parseReportInput(raw), /results\[1\]\.seeds\[2\]\.accuracy/);
});

test('parseReportInput names a missing field', () => {
  const { runId: _dropped, ...raw } = sampleReportInput();
  assert.throws(() => parseReportInput(raw), /runId/);
});

test('parseReportInput rejects a bad week label', () => {
  assert.throws(() => parseReportInput({ ...sampleReportInput(), weekLabel: '2026-48' }), /weekLabel/);
});

test('parseReportInput rejects a confusion matrix that does not match the classes', () => {
  const raw = sampleReportInput();
  raw.results[0]!.seeds[0]!.confusion.pop();
  assert.throws(() => parseReportInput(raw), /results\[0\]\.seeds\[0\]\.confusion: expected a 5×5 matrix/);
});

test('parseReportInput rejects shelf counts for an unknown class', () => {
  const raw = sampleReportInput();
  raw.shelfShare[0]!.counts['hoodie'] = 3;
  assert.throws(() => parseReportInput(raw), /shelfShare\[0\]\.counts\.hoodie/);
});
