import { summariseReasons } from '../sku110k/tally.js';
import type { MatchLabelsResult } from './match-labels.js';
import type { LabelCsv } from './read-label-csv.js';

/** How many class names the message lists before it says "and N more" (a garbled class column has many). */
const NAMES_SHOWN = 12;

export interface LabelFitOptions {
  /** Largest share of label CSV lines that may be rejected (unparseable, unknown class, no box, conflict). */
  maxBadLabelShare: number;
  /** The label file's name as the user configured it (`dataset.labels`), for the message. */
  labelsName: string;
}

/**
 * A label CSV that does not fit the configured classes. Thrown at ingest so that a run with the wrong
 * `dataset.classes` stops in seconds with the cause, instead of cropping nothing labelled, pretraining for
 * minutes and failing far downstream at a gate that cannot know why.
 */
export class LabelsDoNotFitError extends Error {
  override name = 'LabelsDoNotFitError';
}

/** Class names in the CSV with their row counts, most frequent first (ties by name, so messages are stable). */
export function classCounts(csv: LabelCsv): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const row of csv.rows) counts.set(row.className, (counts.get(row.className) ?? 0) + 1);
  return [...counts].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Throws LabelsDoNotFitError when more than `maxBadLabelShare` of the label lines were rejected, or when a
 * configured class got no labelled box: either makes every head downstream train on too little or nothing.
 */
export function checkLabelFit(csv: LabelCsv, matched: MatchLabelsResult, options: LabelFitOptions): void {
  const reasons = { ...csv.bad, ...matched.bad };
  const rejected = Object.values(reasons).reduce((sum, r) => sum + r.count, 0);
  const share = csv.lines === 0 ? 0 : rejected / csv.lines;
  const unlabelled = matched.classes.filter((_, i) => matched.counts.perClass[i] === 0);
  const tooManyRejected = share > options.maxBadLabelShare;
  if (!tooManyRejected && unlabelled.length === 0) return;
  const file = options.labelsName;
  const problems: string[] = [];
  if (csv.lines === 0) problems.push(`${file} has no label rows`);
  if (tooManyRejected) {
    problems.push(
      `${rejected} of ${csv.lines} label rows (${(100 * share).toFixed(1)}%) were rejected, above ` +
        `ingest.maxBadLabelShare ${options.maxBadLabelShare}`,
    );
  }
  if (unlabelled.length > 0)
    problems.push(`no labelled box for configured class(es): ${unlabelled.join(', ')}`);
  const found = classCounts(csv);
  const example =
    found.length >= 2 && found.length <= NAMES_SHOWN
      ? ` (e.g. classes: [${found.map(([name]) => name).join(', ')}])`
      : '';
  const fixes = [
    `set dataset.classes to the class names in the CSV${example}`,
    `fix ${file}`,
    ...(tooManyRejected ? ['raise ingest.maxBadLabelShare'] : []),
  ];
  const byReason = summariseReasons(reasons);
  throw new LabelsDoNotFitError(
    `${file} does not fit dataset.classes: ${problems.join('; ')}.\n` +
      `${file} has: ${describeCounts(found)} (configured: ${matched.classes.join(', ')}).\n` +
      `Fix: ${fixes.join(', or ')}.${byReason ? `\nRejected label rows by reason:\n${byReason}` : ''}`,
  );
}

function describeCounts(counts: ReadonlyArray<[string, number]>): string {
  if (counts.length === 0) return 'no parseable rows';
  const shown = counts.slice(0, NAMES_SHOWN).map(([name, n]) => `${name} ${n}`);
  const more = counts.length - shown.length;
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ');
}
