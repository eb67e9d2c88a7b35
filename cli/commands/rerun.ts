import { UsageError } from '../../config/errors.js';
import { type Command, parseFlags } from '../command.js';
import { executeRun } from './run/execute.js';
import { rerunPipeline } from './run/rerun-pipeline.js';

export const rerunCommand: Command = {
  name: 'rerun',
  summary: 'run an earlier run again, recomputing one stage and what depends on it',
  usage: [
    'Usage: shelfssl rerun <workflowId> --stage NAME [--stage NAME ...] [--force] [--detach] [--no-worker]',
    '',
    "Reads the earlier run's plan from its Temporal history and starts a new run of it that recomputes the",
    'named stage(s) and everything downstream; every other node comes from the artefact cache.',
    '--force recomputes every node. Waits and reports like `shelfssl run`.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        stage: { type: 'string', multiple: true },
        force: { type: 'boolean' },
        detach: { type: 'boolean' },
        'no-worker': { type: 'boolean' },
      },
      true,
    );
    const [workflowId, ...extra] = positionals;
    if (workflowId === undefined) throw new UsageError('rerun: give the workflow id of the run to re-run');
    if (extra.length > 0)
      throw new UsageError(`rerun: one workflow id expected, got also: ${extra.join(' ')}`);
    const stages = values.stage ?? [];
    if (stages.length === 0 && !values.force)
      throw new UsageError('rerun: --stage NAME is required (or --force to recompute everything)');
    return await executeRun(
      (client, settings) =>
        rerunPipeline(client, settings, workflowId, { stages, force: values.force ?? false }),
      { detach: values.detach ?? false, localWorkers: !values['no-worker'] },
    );
  },
};
