import { UsageError } from '../../config/errors.js';
import { loadSettings } from '../../config/settings.js';
import { bucketOf } from '../../store/artefacts.js';
import { connectClient } from '../client.js';
import { type Command, EXIT, parseFlags } from '../command.js';
import { compareRuns, type RunComparison } from '../model/compare-runs.js';
import { formatTable } from './text-table.js';

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}`);
const signed = (x: number | null) => (x === null ? '-' : `${x >= 0 ? '+' : ''}${(100 * x).toFixed(1)}`);
const list = (xs: string[], max = 5) =>
  xs.length === 0 ? '' : `: ${xs.slice(0, max).join(', ')}${xs.length > max ? `, … (${xs.length})` : ''}`;

export function comparisonText(c: RunComparison): string[] {
  const lines = [`A ${c.runs.a}`, `B ${c.runs.b}`, '', 'params'];
  const p = c.params;
  if (p.onlyA.length + p.onlyB.length + p.changed.length === 0) lines.push('  same plan and params');
  if (p.onlyA.length > 0) lines.push(`  nodes only in A: ${p.onlyA.length}${list(p.onlyA)}`);
  if (p.onlyB.length > 0) lines.push(`  nodes only in B: ${p.onlyB.length}${list(p.onlyB)}`);
  for (const ch of p.changed.slice(0, 30))
    lines.push(`  ${ch.node} ${ch.key}: ${JSON.stringify(ch.a)} -> ${JSON.stringify(ch.b)}`);
  if (p.changed.length > 30) lines.push(`  … ${p.changed.length - 30} more (--json lists all)`);
  const d = c.dataset;
  lines.push(
    '',
    'dataset',
    `  images added ${d.imagesAdded.length}${list(d.imagesAdded)}`,
    `  images removed ${d.imagesRemoved.length}${list(d.imagesRemoved)}`,
    `  images changed ${d.imagesChanged.length}${list(d.imagesChanged)}`,
    `  label rows added ${d.labelsAdded}, removed ${d.labelsRemoved}, changed ${d.labelsChanged}`,
    '',
    'test accuracy % (mean over seeds)',
  );
  lines.push(
    ...formatTable(
      ['configuration', 'A', 'B', 'delta'],
      c.accuracy.map((r) => [r.config, pct(r.a), pct(r.b), signed(r.delta)]),
    ).map((l) => `  ${l}`),
  );
  lines.push('', 'per-class F1 % (mean over seeds)');
  lines.push(
    ...formatTable(
      ['configuration', 'class', 'A', 'B', 'delta'],
      c.perClassF1.map((r) => [r.config, r.cls, pct(r.a), pct(r.b), signed(r.delta)]),
    ).map((l) => `  ${l}`),
  );
  return lines;
}

export const compareCommand: Command = {
  name: 'compare',
  summary: 'two runs side by side: params diff, dataset diff, accuracy and per-class F1 with deltas',
  usage: [
    'Usage: shelfssl compare <runA> <runB> [--json]',
    '',
    'Reads both finished runs (their plans from Temporal, their artefacts from the store) and prints: the',
    'params that differ per node (and nodes only one run has), the dataset difference (images added, removed',
    'or changed; label rows added, removed or relabelled), the test accuracy of every backbone/head/fraction',
    'and its per-class F1, mean over seeds, A and B side by side with B - A. --json prints the same as JSON.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { json: { type: 'boolean' } }, true);
    if (positionals.length !== 2)
      throw new UsageError(`compare: give two run ids (got ${positionals.length}); see \`shelfssl status\``);
    const settings = loadSettings();
    const { client, close } = await connectClient(settings);
    try {
      const c = await compareRuns(client, bucketOf(settings), positionals[0]!, positionals[1]!);
      if (values.json) console.log(JSON.stringify(c, null, 2));
      else for (const l of comparisonText(c)) console.log(l);
      return EXIT.ok;
    } finally {
      await close();
    }
  },
};
