import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeHeadline } from '../../report/headline.js';
import type { HeadMode } from '../../report/model.js';
import { type SummaryRow, summariseResults } from '../../report/summary.js';
import { sampleReportInput } from './sample-input.js';

function row(backbone: string, headMode: HeadMode, fractionPct: number, accuracyMean: number): SummaryRow {
  return {
    backbone,
    headMode,
    fractionPct,
    accuracyMean,
    accuracyStd: 0.01,
    iterationsMean: 100,
    trainSecondsMean: 1,
    seedCount: 3,
    configuration: { backbone, headMode, fractionPct, seeds: [] },
  };
}

test('describeHeadline compares the best at the scarcest fraction with random-init on the same head', () => {
  const rows = [
    row('random-init', 'supervised', 10, 0.63),
    row('swav', 'supervised', 10, 0.712),
    row('random-init', 'supervised', 100, 0.7),
    row('swav', 'supervised', 100, 0.78),
  ];
  assert.equal(
    describeHeadline(rows),
    'At 10 % labels, swav + supervised head reaches 71.2 % vs 63.0 % for random-init (+8.2 pts); ' +
      'best overall: swav + supervised head at 100 % labels, 78.0 % ± 1.0.',
  );
});

test('describeHeadline on the sample run picks the semi-supervised head', () => {
  const sentence = describeHeadline(summariseResults(sampleReportInput().results));
  assert.equal(
    sentence,
    'At 10 % labels, swav + semi-supervised head reaches 73.5 % vs 64.5 % for random-init (+9.0 pts); ' +
      'best overall: swav + semi-supervised head at 100 % labels, 79.0 % ± 1.0.',
  );
});

test('describeHeadline names the head of a baseline that differs from the winner', () => {
  const rows = [row('random-init', 'supervised', 25, 0.6), row('swav', 'semi-supervised', 25, 0.7)];
  assert.match(describeHeadline(rows), /vs 60\.0 % for random-init \+ supervised head \(\+10\.0 pts\)/);
});

test('describeHeadline shows a negative gap when the baseline wins', () => {
  const rows = [row('random-init', 'supervised', 10, 0.7), row('swav', 'supervised', 10, 0.65)];
  assert.match(
    describeHeadline(rows),
    /random-init \+ supervised head reaches 70\.0 % vs 65\.0 % for swav \(\+5\.0 pts\)/,
  );
});

test('describeHeadline with a single configuration has no comparison', () => {
  assert.equal(
    describeHeadline([row('swav', 'supervised', 12.5, 0.5)]),
    'At 12.5 % labels, swav + supervised head reaches 50.0 %; best overall: swav + supervised head at 12.5 % labels, 50.0 % ± 1.0.',
  );
});

test('describeHeadline with no results says so', () => {
  assert.equal(describeHeadline([]), 'No training results in this run.');
});
