import { z } from 'zod';
import { loadSettings } from '../../config/settings.js';
import { bucketOf } from '../../store/artefacts.js';
import { collectGarbage, type GcResult } from '../../store/gc/collect.js';
import { updatePins } from '../../store/gc/pins.js';
import { connectClient } from '../client.js';
import { type Command, EXIT, parseFlags } from '../command.js';
import { intFlag, parseFlagValues } from './flags.js';
import { formatBytes } from './gc/format-bytes.js';
import { formatTable } from './text-table.js';

const GcFlags = z.object({
  keepRuns: intFlag(0, 10_000, '4').default(4),
  keepWeeks: intFlag(0, 10_000, '8').default(0),
  graceMinutes: intFlag(0, 100_000, '1440').default(24 * 60),
});

function report(r: GcResult, dryRun: boolean): string[] {
  const why = (w: string) => r.kept.filter((k) => k.why === w).length;
  const lines = [
    `gc: keeping ${r.kept.length} run(s) (${why('newest')} newest per pipeline, ${why('recent')} recent, ` +
      `${why('pinned')} pinned, ${why('running')} running) and what alias(es) ${r.aliases.join(', ') || '(none)'} name`,
  ];
  const { plan } = r;
  const arts = plan.remove.filter((u) => u.kind === 'artefacts').length;
  const cps = plan.remove.length - arts;
  lines.push(
    `${dryRun ? 'would remove' : 'removed'} ${arts} artefact(s) and ${cps} checkpoint set(s), ` +
      `${formatBytes(plan.bytes)}${dryRun ? ' would be freed (dry run: nothing removed)' : ' freed'}`,
  );
  if (plan.remove.length > 0)
    lines.push(
      ...formatTable(
        ['what', 'size', 'newest object'],
        plan.remove.map((u) => [
          `${u.kind}/${u.id}`,
          formatBytes(u.bytes),
          u.newest.toISOString().slice(0, 16).replace('T', ' '),
        ]),
      ),
    );
  lines.push(
    `kept: ${plan.kept.reachable} reachable artefact(s), ${plan.kept.young} younger than the grace period, ` +
      `${plan.kept.unpublishedCheckpoints} checkpoint set(s) of unpublished stage runs`,
  );
  return lines;
}

export const gcCommand: Command = {
  name: 'gc',
  summary: 'remove artefacts and checkpoints no kept run, alias or pin reaches (--dry-run first)',
  usage: [
    'Usage: shelfssl gc [--keep-runs N] [--keep-weeks W] [--grace-minutes M] [--dry-run] [--pin RUN] [--unpin RUN]',
    '',
    "Marks what is reachable (through manifests' input refs) from aliases (current and history), pinned runs,",
    'running runs and the newest N runs of each pipeline (default 4; schedule runs count for their pipeline) or',
    'runs started in the last W weeks; removes every other artefact, and the checkpoints of stage runs whose',
    'artefact is published. Nothing younger than the grace period (default 1440 minutes) is removed.',
    '--dry-run prints what would go and the bytes freed. --pin/--unpin RUN (repeatable) keep a run for good.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, {
      'keep-runs': { type: 'string' },
      'keep-weeks': { type: 'string' },
      'grace-minutes': { type: 'string' },
      'dry-run': { type: 'boolean' },
      pin: { type: 'string', multiple: true },
      unpin: { type: 'string', multiple: true },
    });
    const flags = parseFlagValues(GcFlags, {
      keepRuns: values['keep-runs'],
      keepWeeks: values['keep-weeks'],
      graceMinutes: values['grace-minutes'],
    });
    const dryRun = values['dry-run'] ?? false;
    const settings = loadSettings();
    const b = bucketOf(settings);
    if (values.pin || values.unpin) {
      const pinned = await updatePins(b, values.pin ?? [], values.unpin ?? []);
      console.log(`pinned runs: ${pinned.join(', ') || '(none)'}`);
    }
    const { client, close } = await connectClient(settings);
    try {
      const result = await collectGarbage(client, b, {
        keepRuns: flags.keepRuns,
        keepWeeks: flags.keepWeeks,
        graceMs: flags.graceMinutes * 60_000,
        dryRun,
      });
      for (const l of report(result, dryRun)) console.log(l);
      return EXIT.ok;
    } finally {
      await close();
    }
  },
};
