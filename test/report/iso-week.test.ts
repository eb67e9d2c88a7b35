import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isoWeekLabel } from '../../report/model.js';

const utc = (iso: string) => new Date(`${iso}T12:00:00Z`);

test('isoWeekLabel: an ordinary mid-year date', () => {
  assert.equal(isoWeekLabel(utc('2026-11-27')), '2026-W48');
});

test('isoWeekLabel: 2026 has 53 weeks, so its last days and 2027-01-01..03 are 2026-W53', () => {
  assert.equal(isoWeekLabel(utc('2026-12-31')), '2026-W53');
  assert.equal(isoWeekLabel(utc('2027-01-01')), '2026-W53');
  assert.equal(isoWeekLabel(utc('2027-01-03')), '2026-W53');
  assert.equal(isoWeekLabel(utc('2027-01-04')), '2027-W01');
});

test('isoWeekLabel: late-December days can belong to week 1 of the next year', () => {
  assert.equal(isoWeekLabel(utc('2024-12-30')), '2025-W01');
  assert.equal(isoWeekLabel(utc('2025-12-29')), '2026-W01');
});

test('isoWeekLabel: early-January days can belong to the previous year', () => {
  assert.equal(isoWeekLabel(utc('2021-01-03')), '2020-W53');
  assert.equal(isoWeekLabel(utc('2023-01-01')), '2022-W52');
});

test('isoWeekLabel uses UTC, not the local day', () => {
  assert.equal(isoWeekLabel(new Date('2027-01-03T23:59:59Z')), '2026-W53');
  assert.equal(isoWeekLabel(new Date('2027-01-04T00:00:00Z')), '2027-W01');
});
