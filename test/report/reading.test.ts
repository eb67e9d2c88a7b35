import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeReading, type ReadingRow } from '../../report/reading.js';

const row = (
  backbone: string,
  headMode: string,
  fractionPct: number,
  mean: number,
  std: number,
): ReadingRow => ({
  backbone,
  headMode,
  fractionPct,
  accuracyMean: mean,
  accuracyStd: std,
});
const roles = { 'random-init': 'control', exp1: 'out-of-domain', exp3: 'in-domain' } as const;

describe('the generated reading of a Table 2', () => {
  it('names the winner per fraction, its lead against the seed spread, in- vs out-of-domain and the control', () => {
    const text = describeReading(
      [
        row('random-init', 'supervised', 10, 0.6, 0.01),
        row('exp1', 'supervised', 10, 0.7, 0.01),
        row('exp3', 'supervised', 10, 0.75, 0.02),
        row('exp3', 'semi-supervised', 10, 0.74, 0.02),
        row('random-init', 'supervised', 100, 0.7, 0),
        row('exp1', 'supervised', 100, 0.8, 0),
        row('exp3', 'supervised', 100, 0.79, 0),
      ],
      roles,
    );
    assert.match(
      text,
      /10 %: exp3 \+ supervised head, 75\.0 % ± 2\.0 \(\+5\.0 pts over exp1, more than the seed spread\)/,
    );
    assert.match(text, /100 %: exp1 \+ supervised head, 80\.0 % ± 0\.0 \(\+1\.0 pts over exp3/);
    assert.match(text, /beat the best out-of-domain backbone at 1 of 2 fractions/);
    assert.match(text, /Against the random-init control at 10 %, exp3 is \+15\.0 pts/);
    assert.match(text, /exp3 -1\.0 pts/);
  });

  it('says when a lead is within the seed spread', () => {
    const text = describeReading(
      [row('exp1', 'supervised', 10, 0.7, 0.03), row('exp3', 'supervised', 10, 0.71, 0.03)],
      roles,
    );
    assert.match(text, /\+1\.0 pts over exp1, within the seed spread/);
    assert.match(text, /beat the best out-of-domain backbone at every fraction/);
  });
});
