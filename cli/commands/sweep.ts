import { z } from 'zod';
import type { Settings } from '../../config/settings.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { expandPaperPipeline } from '../../pipelines/paper.js';
import type { ArtefactRef } from '../../store/artefact-schema.js';
import { bucketOf } from '../../store/artefacts.js';
import { type Command, parseFlags } from '../command.js';
import { loadRunConfig } from '../config-file.js';
import { startPipelineRun } from '../runs.js';
import { FractionsFlag, intFlag, parseFlagValues } from './flags.js';
import { executeRun } from './run/execute.js';
import { planDataRoots } from './run/plan-data-roots.js';
import { collectSweepPoints } from './sweep/sweep-metrics.js';
import { buildSweepTable, formatSweepTable } from './sweep/sweep-table.js';

const SweepFlags = z.object({
  fractions: FractionsFlag.optional(),
  seeds: intFlag(1, 20, '3').optional(),
});

/** Table 2 of a finished run: backbone x head mode x % labelled -> accuracy (mean ± std over seeds). */
export async function printAccuracyTable(
  settings: Settings,
  plan: DagPlan,
  refs: Record<string, ArtefactRef>,
): Promise<void> {
  const bucket = bucketOf(settings);
  const points = await collectSweepPoints(bucket, plan, refs);
  if (points.length === 0) return;
  console.log('');
  for (const line of formatSweepTable(buildSweepTable(points))) console.log(line);
}

export const sweepCommand: Command = {
  name: 'sweep',
  summary: 'run the label-fraction x seed sweep and print Table 2 (accuracy mean ± std over seeds)',
  usage: [
    'Usage: shelfssl sweep [--fractions 10,20,30] [--seeds N] [--config FILE] [--dataset DIR] [--force]',
    '                      [--no-worker]',
    '',
    "Like `shelfssl run`, with the config's sweep replaced by the flags:",
    '  --fractions LIST  % of labelled crops per point, each in (0, 100], e.g. 10,20,30',
    '  --seeds N         seeds per fraction, 1-20 (label samples and head inits differ per seed)',
    '',
    'At the end prints backbone x head mode x % labelled -> test accuracy (mean ± std over seeds, in %).',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, {
      fractions: { type: 'string' },
      seeds: { type: 'string' },
      config: { type: 'string' },
      dataset: { type: 'string' },
      force: { type: 'boolean' },
      'no-worker': { type: 'boolean' },
    });
    const flags = parseFlagValues(SweepFlags, { fractions: values.fractions, seeds: values.seeds });
    const config = loadRunConfig(values.config, {
      ...(values.dataset ? { dataset: values.dataset } : {}),
      sweep: { fractions: flags.fractions, seeds: flags.seeds },
    });
    const plan = expandPaperPipeline(config);
    return await executeRun(
      (client, settings) => startPipelineRun(client, settings, plan, { force: values.force ?? false }),
      {
        detach: false,
        localWorkers: !values['no-worker'],
        dataRoots: planDataRoots(plan),
        async afterSuccess(_client, settings, { result }) {
          await printAccuracyTable(settings, plan, result.refs);
        },
      },
    );
  },
};
