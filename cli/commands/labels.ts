import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../../config/errors.js';
import { appendLabelLines } from '../../data/labels/append-labels.js';
import { parseFilledCsv } from '../../data/labels/filled-csv.js';
import { type LabelMerge, planLabelMerge } from '../../data/labels/merge-labels.js';
import { readLabelCsv } from '../../data/labels/read-label-csv.js';
import { ingestSku110k } from '../../data/sku110k/index.js';
import { type Command, commandGroup, EXIT, parseFlags } from '../command.js';
import { loadRunConfig } from '../config-file.js';
import { parseFlagValues } from './flags.js';

const MergeFlags = z.object({
  from: z.string({ message: 'the filled-in to-label.csv, e.g. --from to-label/to-label.csv' }).min(1),
  config: z.string().min(1).optional(),
  dataset: z.string().min(1).optional(),
  'dry-run': z.boolean().default(false),
});

/** What the merge did, one line per reason with its first examples: the annotators' feedback. */
function mergeSummary(plan: LabelMerge, labels: string, written: boolean, backup: string | null): string[] {
  const lines = [
    written
      ? `appended ${plan.append.length} label rows to ${labels}${backup ? ` (backup: ${backup})` : ''}`
      : `${plan.append.length} good label rows${plan.append.length > 0 ? ' (dry run: nothing written)' : ''}`,
  ];
  if (plan.unfilled > 0) lines.push(`skipped ${plan.unfilled} rows with the class left blank`);
  for (const [reason, entry] of Object.entries(plan.rejected)) {
    if (entry.count === 0) continue;
    lines.push(`rejected ${entry.count} ${reason}`);
    for (const e of entry.examples.slice(0, 3)) lines.push(`  ${e.file}:${e.line}: ${e.detail}: ${e.text}`);
  }
  return lines;
}

export const labelsMergeCommand: Command = {
  name: 'merge',
  summary: "check annotators' filled-in rows and append the good ones to the dataset's labels.csv",
  usage: [
    'Usage: shelfssl labels merge --from FILE [--config FILE] [--dataset DIR] [--dry-run]',
    '',
    'Reads a filled-in to-label.csv (from `shelfssl suggest`; header and extra columns are dropped, rows with',
    'a blank class skipped) or any label CSV, and checks every row against the dataset (dataset.location,',
    'dataset.labels, dataset.classes and ingest.iouThreshold/boxPolicy of the run config; default dataset',
    '.shelfssl/shelves): unknown class names, rows matching no box, duplicates, two classes for one box,',
    'and conflicts with labels.csv are counted with examples and left out. The good rows are appended to',
    'labels.csv atomically, the old file kept as labels.csv.bak-<time>; the next run picks them up.',
    'Exit 0 when it finished (also with rejected rows), 2 on bad usage.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, {
      from: { type: 'string' },
      config: { type: 'string' },
      dataset: { type: 'string' },
      'dry-run': { type: 'boolean' },
    });
    const flags = parseFlagValues(MergeFlags, values);
    const config = loadRunConfig(flags.config, flags.dataset ? { dataset: flags.dataset } : {});
    const root = config.dataset.location;
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(root))
      throw new UsageError(
        `labels merge: dataset.location ${root} is not a local folder; merge into a local copy`,
      );
    if (!existsSync(flags.from)) throw new UsageError(`--from ${flags.from}: no such file`);
    const labels = path.join(root, config.dataset.labels);
    const { boxes } = await ingestSku110k({
      root,
      maxBadShare: config.ingest.maxBadShare,
      boxPolicy: config.ingest.boxPolicy,
    });
    const plan = planLabelMerge({
      boxes,
      existing: existsSync(labels) ? (await readLabelCsv(labels)).rows : [],
      filled: parseFilledCsv(await readFile(flags.from), path.basename(flags.from)),
      classes: config.dataset.classes,
      iouThreshold: config.ingest.iouThreshold,
    });
    const write = !flags['dry-run'] && plan.append.length > 0;
    const backup = write
      ? await appendLabelLines(
          labels,
          plan.append.map((r) => r.text),
        )
      : null;
    for (const line of mergeSummary(plan, labels, write, backup)) console.log(line);
    return EXIT.ok;
  },
};

export const labelsCommand: Command = commandGroup('labels', "work with the dataset's label CSV", [
  labelsMergeCommand,
]);
