import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { parseLocation } from '../../activities/stages/support/dataset-location.js';
import { UsageError } from '../../config/errors.js';
import { loadSettings, type Settings } from '../../config/settings.js';
import { expandPredictPlan } from '../../pipelines/predict.js';
import type { Bucket } from '../../store/artefacts.js';
import { bucketOf } from '../../store/artefacts.js';
import { type Command, parseFlags } from '../command.js';
import { modelText } from '../model/model-text.js';
import { resolveModel } from '../model/resolve-model.js';
import { intFlag, numberFlag, parseFlagValues } from './flags.js';
import { downloadPredictOutputs, predictSummaryLines } from './predict/predict-outputs.js';
import { startPredictRun } from './predict/start-predict.js';
import { executeRun } from './run/execute.js';

const IMAGE_FILE = /\.(jpe?g|png|webp|tiff?)$/i;

const PredictFlags = z.object({
  model: z.string({ error: 'required: an alias or run id, e.g. production' }).min(1),
  images: z.string({ error: 'required: a folder of shelf photos (or s3://bucket/prefix)' }).min(1),
  boxes: z.string().min(1).optional(),
  stores: z.string().min(1).optional(),
  out: z.string({ error: 'required: the folder to write the results into' }).min(1),
  unknownBelow: numberFlag(0, 1, '0.5').default(0.5),
  shardImages: intFlag(1, 10_000, '8').default(8),
  maxBadShare: numberFlag(0, 1, '0.05').default(0.05),
  title: z.string().min(1).optional(),
});

/** A local path made absolute (workers may run elsewhere); s3:// URLs as given. */
function absolute(where: string): string {
  return parseLocation(where).kind === 'local' ? path.resolve(where) : where;
}

/** How many photos there are, to cut them into shards: the folder's image files or the prefix's objects. */
async function countImages(b: Bucket, where: string): Promise<number> {
  const loc = parseLocation(where);
  if (loc.kind === 'local') {
    const names = await readdir(loc.dir).catch(() => {
      throw new UsageError(`--images: no folder ${loc.dir}`);
    });
    return names.filter((n) => IMAGE_FILE.test(n)).length;
  }
  let n = 0;
  for await (const item of b.s3.listObjectsV2(loc.bucket, loc.prefix, false))
    if (typeof item.name === 'string' && IMAGE_FILE.test(item.name)) n++;
  return n;
}

export const PREDICT_FLAGS = {
  model: { type: 'string' },
  images: { type: 'string' },
  boxes: { type: 'string' },
  stores: { type: 'string' },
  out: { type: 'string' },
  'unknown-below': { type: 'string' },
  'shard-images': { type: 'string' },
  'max-bad-share': { type: 'string' },
  title: { type: 'string' },
  force: { type: 'boolean' },
  detach: { type: 'boolean' },
  'no-worker': { type: 'boolean' },
} as const;

export const predictCommand: Command = {
  name: 'predict',
  summary: 'classify the boxes of new shelf photos with a promoted model; CSV, shelf share and a workbook',
  usage: [
    'Usage: shelfssl predict --model <alias|runId[/backbone/head/fraction[/seed]]> --images DIR|s3://… --out DIR',
    '                        [--boxes CSV] [--stores CSV] [--unknown-below 0.5] [--shard-images 8]',
    '                        [--max-bad-share 0.05] [--title T] [--force] [--detach] [--no-worker]',
    '',
    'Runs a `predictRun` workflow (not the training pipeline): checks the boxes and photos, then one shard per',
    "--shard-images photos crops every box, extracts features with the model's backbone and applies its head",
    '(shards run in parallel on every gpu-queue worker and are cached: same photos + same model = hit), then',
    'writes into --out: predictions.csv (image, store, box, class, predicted, confidence; class is `unknown`',
    'below --unknown-below), shelf-share-images.csv, shelf-share-stores.csv, predictions.xlsx (with a',
    'share-of-shelf chart) and summary.json. Bad rows and unreadable photos are counted with examples; more',
    'than --max-bad-share bad rows fails the run, and a failed shard fails it: no result that looks complete.',
    '',
    '  --model M        an alias (see `shelfssl promote`), a run id (its best configuration) or a configuration',
    '  --boxes CSV      box CSV in SKU110K annotation layout (default: boxes.csv beside the photos)',
    '  --stores CSV     image,store lines (default: stores.csv beside the photos, if present)',
    '  --unknown-below X  a box whose top class probability is below X is counted as `unknown` (default 0.5)',
    '  --shard-images N   photos per shard, the unit of parallel work and of caching (default 8)',
    '  --max-bad-share X  fail when more than this share of box rows is rejected (default 0.05, as ingest)',
    '  --title T        title of the workbook',
    '  --force          recompute every shard, ignoring the cache',
    '  --detach         start and return; follow with `shelfssl status <id>`, then run the same command',
    '                   again to fetch the (cached) results',
    '  --no-worker      do not run the cpu/gpu workers in this process (they run elsewhere)',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, PREDICT_FLAGS);
    const flags = parseFlagValues(PredictFlags, {
      model: values.model,
      images: values.images,
      boxes: values.boxes,
      stores: values.stores,
      out: values.out,
      unknownBelow: values['unknown-below'],
      shardImages: values['shard-images'],
      maxBadShare: values['max-bad-share'],
      title: values.title,
    });
    const settings = loadSettings();
    const bucket = bucketOf(settings);
    const images = absolute(flags.images);
    const start = async (client: Client, s: Settings) => {
      const model = await resolveModel(client, bucket, flags.model);
      console.log(`model ${model.alias ? `${model.alias} = ` : ''}${modelText(model)}`);
      const count = await countImages(bucket, images);
      if (count === 0) throw new UsageError(`--images: no photos (.jpg, .png, ...) in ${flags.images}`);
      const c = model.config;
      const plan = expandPredictPlan({
        images,
        boxes: flags.boxes ? absolute(flags.boxes) : null,
        stores: flags.stores ? absolute(flags.stores) : null,
        shards: Math.ceil(count / flags.shardImages),
        cropSize: model.cropSize,
        padding: model.padding,
        normalization: model.normalization,
        classes: model.classes,
        unknownBelow: flags.unknownBelow,
        maxBadShare: flags.maxBadShare,
        title: flags.title ?? `shelfssl predictions: ${path.basename(flags.images)}`,
        model: {
          runId: model.runId,
          config: `${c.backbone}/${c.mode}/${c.fraction}/${c.seed}`,
          alias: model.alias ?? null,
        },
      });
      return await startPredictRun(client, s, plan, model, { force: values.force ?? false });
    };
    // The user's own photos and CSVs: the CLI's local workers accept them besides the configured data roots.
    const csvs = [flags.boxes, flags.stores].flatMap((f) => (f ? [absolute(f)] : []));
    return await executeRun(start, {
      detach: values.detach ?? false,
      localWorkers: !values['no-worker'],
      dataRoots: [
        images,
        ...csvs.map((f) => (f.startsWith('s3://') ? f.slice(0, f.lastIndexOf('/') + 1) : path.dirname(f))),
      ],
      afterSuccess: async (_client, _settings, outcome) => {
        const merge = outcome.result.refs.merge;
        if (!merge) throw new Error('predict run finished without its merge artefact');
        const { files, summary } = await downloadPredictOutputs(bucket, merge, path.resolve(flags.out));
        console.log('');
        for (const line of predictSummaryLines(summary)) console.log(line);
        for (const f of files) console.log(`wrote ${f}`);
      },
    });
  },
};
