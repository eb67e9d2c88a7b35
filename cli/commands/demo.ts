import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadSettings } from '../../config/settings.js';
import { makeShelves } from '../../data/shelves/index.js';
import { installAll } from '../../infra/install.js';
import { localUpGenerated } from '../../infra/local.js';
import { DEMO_SHELVES, demoConfig } from '../../pipelines/demo-config.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { bucketOf } from '../../store/artefacts.js';
import { type Command, parseFlags } from '../command.js';
import { startPipelineRun, temporalUiUrl } from '../runs.js';
import { downloadRunReport } from './report/download-report.js';
import { executeRun } from './run/execute.js';
import { collectSweepPoints } from './sweep/sweep-metrics.js';
import { buildSweepTable, formatSweepTable } from './sweep/sweep-table.js';

const log = (l: string) => console.log(l);

/** The demo dataset: generated once from Fashion-MNIST into the data dir, then reused (and cached). */
async function ensureDemoShelves(dataDir: string): Promise<string> {
  const out = path.join(dataDir, 'shelves');
  if (existsSync(path.join(out, 'annotations', 'annotations_train.csv'))) {
    log(`dataset: ${out} (already generated)`);
    return out;
  }
  log(`dataset: generating ${DEMO_SHELVES.images} shelf images from Fashion-MNIST into ${out}`);
  const result = await makeShelves({ ...DEMO_SHELVES, out });
  log(`dataset: ${result.boxes} boxes (${result.labelled} labelled, ${result.distractorBoxes} distractors)`);
  return out;
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'set up the local servers and run the whole paper pipeline on generated shelves',
  usage: [
    'Usage: shelfssl demo [--out FILE]',
    '',
    'On the local default, end to end: builds the pinned Temporal and MinIO if needed, starts them,',
    'generates shelf images from real Fashion-MNIST products (once, into <data dir>/shelves), and runs the',
    'paper pipeline (small ResNet, a short SwAV run, random-init vs SwAV, supervised vs semi-supervised',
    'heads, 10..100 % labels, 3 seeds) with local workers and live progress. Prints the Table 2 summary,',
    'writes the Excel report to --out (default ./shelfssl-demo-report.xlsx) and prints the Temporal UI link.',
    'A second run takes everything from the cache.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, { out: { type: 'string' } });
    const out = path.resolve(values.out ?? 'shelfssl-demo-report.xlsx');
    await installAll(log);
    await localUpGenerated(log);
    const settings = loadSettings();
    const dataset = await ensureDemoShelves(settings.dataDir);
    const plan = expandPaperPipeline(RunConfigSchema.parse(demoConfig(dataset)));
    let workflowId = '';
    const start = async (client: Parameters<typeof startPipelineRun>[0]) => {
      const handle = await startPipelineRun(client, settings, plan);
      workflowId = handle.workflowId;
      return handle;
    };
    return await executeRun(start, {
      detach: false,
      localWorkers: true,
      async afterSuccess(client, s, { result }) {
        const bucket = bucketOf(s);
        console.log('');
        for (const line of formatSweepTable(
          buildSweepTable(await collectSweepPoints(bucket, plan, result.refs)),
        )) {
          console.log(line);
        }
        const saved = await downloadRunReport(client, s, workflowId, out);
        console.log('');
        console.log(`report   ${saved.path}`);
        console.log(`ui       ${temporalUiUrl(s, workflowId)}`);
      },
    });
  },
};
