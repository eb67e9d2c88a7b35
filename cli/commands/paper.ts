import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { loadSettings, type Settings } from '../../config/settings.js';
import { type MakeShelvesOptions, makeShelves } from '../../data/shelves/index.js';
import { installAll } from '../../infra/install.js';
import { localUpGenerated } from '../../infra/local.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { backboneRoles, expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import {
  fullPreset,
  type PaperPreset,
  paperConfig,
  paperSourceConfig,
  smokePreset,
} from '../../pipelines/paper-config.js';
import { describeReading } from '../../report/reading.js';
import { setAlias } from '../../store/aliases.js';
import { bucketOf } from '../../store/artefacts.js';
import type { PipelineRunResult } from '../../workflows/run-result.js';
import { type Command, EXIT, parseFlags } from '../command.js';
import { resolveModel } from '../model/resolve-model.js';
import { startPipelineRun, temporalUiUrl } from '../runs.js';
import { formatStageTimes, stageTimes } from './paper/stage-times.js';
import { downloadRunReport } from './report/download-report.js';
import { executeRun } from './run/execute.js';
import { collectSweepPoints } from './sweep/sweep-metrics.js';
import { buildSweepTable, formatSweepTable } from './sweep/sweep-table.js';

const log = (l: string) => console.log(l);

/** A generated dataset in the data dir, made once and then reused (and cached). */
async function ensureShelves(dir: string, options: Omit<MakeShelvesOptions, 'out'>): Promise<string> {
  if (existsSync(path.join(dir, 'annotations', 'annotations_train.csv'))) {
    log(`dataset: ${dir} (already generated)`);
    return dir;
  }
  log(`dataset: generating ${options.images} shelf images into ${dir}`);
  const r = await makeShelves({ ...options, out: dir });
  log(`dataset: ${r.boxes} boxes (${r.labelled} labelled, ${r.distractorBoxes} distractors)`);
  return dir;
}

/** Runs `plan` with local workers; `then` sees the finished run. Returns the exit code. */
async function runPlan(
  plan: DagPlan,
  then: (client: Client, s: Settings, workflowId: string, result: PipelineRunResult) => Promise<void>,
): Promise<number> {
  let workflowId = '';
  return await executeRun(
    async (client, settings) => {
      const handle = await startPipelineRun(client, settings, plan);
      workflowId = handle.workflowId;
      return handle;
    },
    {
      detach: false,
      localWorkers: true,
      afterSuccess: async (client, s, { result }) => await then(client, s, workflowId, result),
    },
  );
}

/** Publishes each source backbone (with its 100 % supervised head) under the alias the target imports. */
async function publishSourceBackbones(
  client: Client,
  s: Settings,
  workflowId: string,
  aliases: PaperPreset['aliases'],
): Promise<void> {
  const bucket = bucketOf(s);
  for (const [node, alias] of [
    ['supervised-source', aliases.supervised],
    ['swav-source', aliases.swav],
  ] as const) {
    const { alias: _ignored, ...model } = await resolveModel(
      client,
      bucket,
      `${workflowId}/${node}/supervised/100/1`,
    );
    await setAlias(bucket, alias, {
      model,
      setAt: new Date().toISOString(),
      note: `shelfssl paper source run`,
    });
    log(
      `published alias:${alias} -> ${model.backbone.stage}/${model.backbone.key} (source accuracy ${((model.metrics?.accuracy ?? Number.NaN) * 100).toFixed(1)} %)`,
    );
  }
}

export const paperCommand: Command = {
  name: 'paper',
  summary: "the paper's three experiments + random init at 10x the demo's data (source run, then target run)",
  usage: [
    'Usage: shelfssl paper [--out FILE] [--smoke]',
    '',
    'Like `demo`, on the local default, end to end (generated datasets are made once in the data dir):',
    '1. a source run on 200 shelves of the five other Fashion-MNIST classes (t10k images) trains a supervised',
    '   ResNet and a SwAV ResNet and publishes them as aliases paper-supervised-source and paper-swav-source;',
    '2. the target run (examples/paper.yaml) on 460 garment shelves (~31,700 crops, >2,500 test crops) compares',
    '   random init, Exp 1 (alias:paper-supervised-source), Exp 2 (alias:paper-swav-source) and Exp 3 (SwAV on',
    '   its own crops), supervised and semi-supervised heads, 10..50 % and 100 % labels, 3 seeds.',
    "Prints Table 2, a generated reading of it and each stage's wall time; writes the Excel report to --out",
    '(default ./shelfssl-paper-report.xlsx). A second run takes everything from the cache. --smoke: the same two',
    'runs on ~20x less data, 1 SwAV epoch, 10 and 100 % labels, 2 seeds (own folders and aliases; minutes).',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, { out: { type: 'string' }, smoke: { type: 'boolean' } });
    const out = path.resolve(values.out ?? 'shelfssl-paper-report.xlsx');
    const preset = values.smoke ? smokePreset() : fullPreset();
    const tag = values.smoke ? 'paper-smoke' : 'paper';
    await installAll(log);
    await localUpGenerated(log);
    const settings = loadSettings();
    const source = await ensureShelves(path.join(settings.dataDir, `${tag}-source`), preset.sourceShelves);
    const target = await ensureShelves(path.join(settings.dataDir, `${tag}-target`), preset.targetShelves);

    log('\nsource run: backbones for Exp 1 (supervised) and Exp 2 (SwAV) on classes the target never labels');
    const sourcePlan = expandPaperPipeline(RunConfigSchema.parse(paperSourceConfig(source, preset.source)));
    const sourceCode = await runPlan(sourcePlan, async (client, s, id, result) => {
      for (const line of formatStageTimes(stageTimes(result.nodes))) log(line);
      await publishSourceBackbones(client, s, id, preset.aliases);
    });
    if (sourceCode !== EXIT.ok) return sourceCode;

    log('\ntarget run: random init, Exp 1, Exp 2, Exp 3');
    const config = RunConfigSchema.parse(paperConfig(target, preset.target));
    const plan = expandPaperPipeline(config);
    return await runPlan(plan, async (client, s, workflowId, result) => {
      const table = buildSweepTable(await collectSweepPoints(bucketOf(s), plan, result.refs));
      log('');
      for (const line of formatSweepTable(table)) log(line);
      const rows = table.rows.flatMap((r) =>
        [...r.cells].map(([fractionPct, c]) => ({
          backbone: r.backbone,
          headMode: r.mode,
          fractionPct,
          accuracyMean: c.mean,
          accuracyStd: c.std,
        })),
      );
      log('');
      log(describeReading(rows, backboneRoles(config)));
      log('');
      for (const line of formatStageTimes(stageTimes(result.nodes))) log(line);
      const saved = await downloadRunReport(client, s, workflowId, out);
      log('');
      log(`report   ${saved.path}`);
      log(`ui       ${temporalUiUrl(s, workflowId)}`);
    });
  },
};
