import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UsageError } from '../../config/errors.js';
import { loadSettings } from '../../config/settings.js';
import { EvalMetricsFileSchema } from '../../pipelines/artefacts/evaluate-metrics-file.js';
import type { ResolvedModel } from '../../store/aliases.js';
import type { ArtefactRef } from '../../store/artefact-schema.js';
import { type Bucket, bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { sha256 } from '../../store/digest.js';
import { connectClient } from '../client.js';
import { type Command, EXIT, parseFlags } from '../command.js';
import { modelText } from '../model/model-text.js';
import { resolveModel } from '../model/resolve-model.js';
import { parseFlagValues } from './flags.js';

const EXAMPLE = fileURLToPath(new URL('../../../examples/classify-crops.mjs', import.meta.url));
const TFJS_FILES = ['model.json', 'weights.bin'] as const;

/** Copies an artefact's TF.js model files (sha256-checked on read) into `dir`; returns name -> sha256. */
async function copyModelFiles(b: Bucket, ref: ArtefactRef, dir: string, prefix: string) {
  const manifest = await readManifest(b, ref.stage, ref.key);
  if (!manifest) throw new Error(`${ref.stage} artefact ${ref.key} is gone from the store`);
  await mkdir(dir, { recursive: true });
  const digests: Record<string, string> = {};
  for (const name of TFJS_FILES) {
    const data = await readArtefactFile(b, manifest, name);
    await writeFile(path.join(dir, name), data);
    digests[`${prefix}/${name}`] = sha256(data);
  }
  return digests;
}

async function evaluationMetrics(b: Bucket, ref: ArtefactRef | undefined) {
  const manifest = ref ? await readManifest(b, ref.stage, ref.key) : undefined;
  if (!manifest) return null;
  const m = EvalMetricsFileSchema.parse(
    JSON.parse((await readArtefactFile(b, manifest, 'metrics.json')).toString()),
  );
  return { accuracy: m.accuracy, macro: m.macro, perClass: m.perClass, testSize: m.testSize };
}

const README = `# shelfssl model bundle

- \`backbone/\`, \`head/\`: TensorFlow.js layers models (model.json + weights.bin). The head takes the backbone's
  features and returns class probabilities (feature standardisation is folded into its weights).
- \`classes.json\`: class names in output order. \`preprocessing.json\`: crop size, padding used to cut boxes,
  and the normalisation \`(pixel / 255 - mean) / std\` per RGB channel; crops are stretched to the crop size,
  then resized bilinearly to the backbone's input size.
- \`bundle.json\`: run id, configuration, test metrics, the source artefacts and every file's sha256.

Classify crops with plain TensorFlow.js:

    npm install @tensorflow/tfjs-core @tensorflow/tfjs-layers @tensorflow/tfjs-backend-cpu sharp
    node examples/classify-crops.mjs . crop1.png crop2.png
`;

/** Writes one self-contained bundle for `model` into `dir`. */
export async function writeBundle(b: Bucket, model: ResolvedModel & { alias?: string }, dir: string) {
  const files = {
    ...(await copyModelFiles(b, model.backbone, path.join(dir, 'backbone'), 'backbone')),
    ...(await copyModelFiles(b, model.head, path.join(dir, 'head'), 'head')),
  };
  const json = async (name: string, value: unknown) => {
    const data = Buffer.from(`${JSON.stringify(value, null, 2)}\n`);
    await writeFile(path.join(dir, name), data);
    files[name] = sha256(data);
  };
  await json('classes.json', model.classes);
  await json('preprocessing.json', {
    cropSize: model.cropSize,
    padding: model.padding,
    channels: 'RGB',
    layout: 'NHWC',
    resize:
      'stretch the box to cropSize x cropSize, then bilinear (half-pixel centres) to the backbone input',
    normalization: model.normalization,
  });
  await mkdir(path.join(dir, 'examples'), { recursive: true });
  await copyFile(EXAMPLE, path.join(dir, 'examples', 'classify-crops.mjs'));
  await writeFile(path.join(dir, 'README.md'), README);
  await json('bundle.json', {
    format: 'shelfssl-bundle',
    version: 1,
    runId: model.runId,
    alias: model.alias ?? null,
    config: model.config,
    metrics: await evaluationMetrics(b, model.evaluation),
    sources: {
      backbone: model.backbone,
      head: model.head,
      crop: model.crop,
      ...(model.evaluation ? { evaluation: model.evaluation } : {}),
    },
    files,
    exportedAt: new Date().toISOString(),
  });
}

function bundleName(model: ResolvedModel & { alias?: string }): string {
  const c = model.config;
  return model.alias ?? `${model.runId}-${c.backbone}-${c.mode}-${c.fraction}pct-seed${c.seed}`;
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a self-contained TF.js bundle (backbone, head, classes, preprocessing, metrics) per model',
  usage: [
    'Usage: shelfssl export <alias|runId[/backbone/head/fraction[/seed]]> ... --out DIR',
    '',
    'Writes a bundle another program can use without shelfssl: backbone/ and head/ (TensorFlow.js layers',
    'models), classes.json, preprocessing.json (crop size, padding, normalisation), bundle.json (run id,',
    "configuration, test metrics per class, source artefacts and every file's sha256), README.md and",
    'examples/classify-crops.mjs, which classifies crop images with plain TensorFlow.js. One model: the bundle',
    'is DIR; several: DIR/<alias or run-configuration>/ each.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { out: { type: 'string' } }, true);
    if (positionals.length === 0) throw new UsageError('export: give at least one alias or run id');
    const { out } = parseFlagValues(
      z.object({ out: z.string({ error: 'required: the folder to write the bundle into' }).min(1) }),
      values,
    );
    const settings = loadSettings();
    const bucket = bucketOf(settings);
    const { client, close } = await connectClient(settings);
    try {
      const models = [];
      for (const spec of positionals) models.push(await resolveModel(client, bucket, spec));
      for (const model of models) {
        const dir = models.length === 1 ? path.resolve(out) : path.resolve(out, bundleName(model));
        await writeBundle(bucket, model, dir);
        console.log(`${dir}: ${model.alias ? `${model.alias} = ` : ''}${modelText(model)}`);
      }
      return EXIT.ok;
    } finally {
      await close();
    }
  },
};
