import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestRowPerBackbone, summariseResults } from '../../report/summary.js';
import { sampleReportInput } from './sample-input.js';

test('summariseResults gives one row per configuration in Table 2 order', () => {
  const rows = summariseResults(sampleReportInput().results);
  assert.equal(rows.length, 12);
  assert.deepEqual(
    rows.slice(0, 4).map((r) => [r.backbone, r.headMode, r.fractionPct]),
    [
      ['random-init', 'supervised', 10],
      ['random-init', 'supervised', 50],
      ['random-init', 'supervised', 100],
      ['random-init', 'semi-supervised', 10],
    ],
  );
});

test('summariseResults: mean and sample std over seeds', () => {
  const swav10 = summariseResults(sampleReportInput().results).find(
    (r) => r.backbone === 'swav' && r.headMode === 'supervised' && r.fractionPct === 10,
  );
  assert.ok(swav10);
  assert.ok(Math.abs(swav10.accuracyMean - 0.712) < 1e-12);
  assert.ok(Math.abs(swav10.accuracyStd - 0.01) < 1e-12);
  assert.equal(swav10.seedCount, 3);
  assert.equal(swav10.iterationsMean, 100);
  assert.ok(Math.abs(swav10.trainSecondsMean - 5.02) < 1e-12);
});

test('summariseResults merges seeds reported twice for one configuration', () => {
  const [first] = sampleReportInput().results;
  assert.ok(first);
  const rows = summariseResults([first, { ...first, seeds: first.seeds.slice(0, 1) }]);
  assert.equal(rows.length, 1);
  assert.equal(rows[0]?.seedCount, 4);
});

test('bestRowPerBackbone picks the highest mean accuracy per backbone', () => {
  const best = bestRowPerBackbone(summariseResults(sampleReportInput().results));
  assert.deepEqual(
    best.map((r) => [r.backbone, r.headMode, r.fractionPct]),
    [
      ['random-init', 'semi-supervised', 100],
      ['swav', 'semi-supervised', 100],
    ],
  );
});
