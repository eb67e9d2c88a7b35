import { expandPaperPipeline } from '../../pipelines/paper.js';
import { type Command, parseFlags } from '../command.js';
import { loadRunConfig } from '../config-file.js';
import { startPipelineRun } from '../runs.js';
import { executeRun } from './run/execute.js';
import { planDataRoots } from './run/plan-data-roots.js';
import { checkStagesInPlan } from './run/stage-names.js';

export const RUN_FLAGS = {
  config: { type: 'string' },
  dataset: { type: 'string' },
  force: { type: 'boolean' },
  stage: { type: 'string', multiple: true },
  detach: { type: 'boolean' },
  'no-worker': { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;

export const runCommand: Command = {
  name: 'run',
  summary: 'run the paper pipeline for a run config, with live progress and a summary table',
  usage: [
    'Usage: shelfssl run [--config FILE] [--dataset DIR] [--force] [--stage NAME ...] [--detach] [--no-worker]',
    '                    [--verbose]',
    '',
    'Expands the run config (YAML or JSON, validated; default: dataset.location = .shelfssl/shelves) into the',
    'pipeline DAG and starts it as a `pipelineRun` workflow. Unchanged stages come from the artefact cache.',
    '',
    '  --config FILE   run config (see README "Configuration"); relative dataset paths are relative to it',
    '  --dataset DIR   use this dataset folder (or s3://bucket/prefix) instead of dataset.location',
    '  --force         recompute every stage, ignoring the cache',
    '  --stage NAME    recompute this stage and everything downstream of it (repeatable)',
    '  --detach        start the run and return; follow it with `shelfssl status <id>`',
    '  --no-worker     do not run the cpu/gpu workers in this process (they run elsewhere)',
    "  --verbose       name the file the workers' Temporal SDK log goes to (<data dir>/logs/temporal-sdk.log)",
    '',
    'Shows per-stage progress while it runs (bars in a terminal; otherwise a line per state change and at most',
    'one per node per 30 s, SHELFSSL_PROGRESS_EVERY_S), then what ingest dropped (if anything), a table of every',
    'node (stage, status, cache hit, duration), the workflow id, its Temporal UI link, the accuracy table and the',
    'next command. Exit 1 if the run failed.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, RUN_FLAGS);
    const config = loadRunConfig(values.config, { ...(values.dataset ? { dataset: values.dataset } : {}) });
    const plan = expandPaperPipeline(config);
    const stages = values.stage ?? [];
    checkStagesInPlan(plan, stages);
    // Loaded once the run is started, while it runs: the table's S3 reads pull in the MinIO client (~0.2 s).
    let accuracyTable: Promise<typeof import('./sweep.js')> | undefined;
    return await executeRun(
      async (client, settings) => {
        const handle = await startPipelineRun(client, settings, plan, {
          force: values.force ?? false,
          recomputeStages: stages,
        });
        accuracyTable = import('./sweep.js');
        return handle;
      },
      {
        detach: values.detach ?? false,
        localWorkers: !values['no-worker'],
        dataRoots: planDataRoots(plan),
        verbose: values.verbose ?? false,
        afterSuccess: async (_client, settings, { result }) =>
          (await (accuracyTable ?? import('./sweep.js'))).printAccuracyTable(settings, plan, result.refs),
      },
    );
  },
};
