import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { confinedFile } from '../../data/sku110k/safe-path.js';
import { buildBackbone, loadBackboneFromMemory, saveBackboneToMemory } from '../../ml/models/index.js';
import { backboneStage } from '../../pipelines/stages.js';
import { readAlias } from '../../store/aliases.js';
import type { ArtefactRef } from '../../store/artefact-schema.js';
import { readArtefactFile, readManifest } from '../../store/artefacts.js';
import { artefactFileNameProblem } from '../../store/file-name.js';
import { MAX_OBJECT_BYTES, readObject } from '../../store/s3.js';
import { StageFailure } from '../stage-runner.js';
import type { StageContext } from '../stage-types.js';
import { defineStage } from '../stage-types.js';
import { allowedLocation } from './support/data-roots.js';
import { backendLabel, ensureBackend } from './support/ml-runtime.js';

const MODEL_WORDING = { thing: 'model file', folder: "the model's folder" };

/**
 * A weights path from model.json (which the model's author wrote): a plain relative name beside it, never
 * `../` or an absolute path, so the worker uploads no file but the model's own as weights.bin.
 */
function checkWeightsPath(model: string, name: string): void {
  const problem = artefactFileNameProblem(name);
  if (problem)
    throw new StageFailure(`${model}: weightsManifest path ${JSON.stringify(name)} is refused (${problem})`);
}

/** A local model file, read only inside the model's folder (links followed) and only if regular. */
async function readModelFile(modelDir: string, name: string, model: string): Promise<Buffer> {
  const file = await confinedFile(modelDir, name, MODEL_WORDING);
  if (!file.ok) throw new StageFailure(`${model}: ${file.detail}`);
  return await readFile(file.path);
}

/** The prefix that names a published backbone: the backbone of the model an alias points at. */
export const ALIAS_PREFIX = 'alias:';

interface ImportedModel {
  modelJson: string;
  weights: Uint8Array;
  /** The store artefact it came from, when named by alias. */
  source?: ArtefactRef;
}

/**
 * The backbone artefact of alias `name` (set by `shelfssl promote` or `shelfssl paper`): the same TF.js files a
 * converted public checkpoint provides, read from the store (sha256-checked) instead of a folder.
 */
async function readAliasedModel(ctx: StageContext, model: string): Promise<ImportedModel> {
  const name = model.slice(ALIAS_PREFIX.length);
  const alias = await readAlias(ctx.bucket, name);
  if (!alias)
    throw new StageFailure(
      `backbones[].model ${JSON.stringify(model)}: no alias "${name}" in the store; publish one with ` +
        '`shelfssl promote <runId> --config <backbone>/<head>/<fraction>/<seed> --alias ' +
        `${name}\` or give a path to a model.json`,
    );
  const ref = alias.current.model.backbone;
  const manifest = await readManifest(ctx.bucket, ref.stage, ref.key);
  if (!manifest)
    throw new StageFailure(`${model}: its backbone artefact ${ref.stage}/${ref.key} is gone from the store`);
  return {
    modelJson: (await readArtefactFile(ctx.bucket, manifest, 'model.json')).toString('utf8'),
    weights: new Uint8Array(await readArtefactFile(ctx.bucket, manifest, 'weights.bin')),
    source: ref,
  };
}

/** Reads a TensorFlow.js model.json and its weights files from a path, s3://bucket/key or alias:<name>. */
async function readImportedModel(ctx: StageContext, model: string): Promise<ImportedModel> {
  if (model.startsWith(ALIAS_PREFIX)) return await readAliasedModel(ctx, model);
  const loc = await allowedLocation(ctx, model, 'backbones[].model');
  const read = async (name: string) =>
    loc.kind === 'local'
      ? await readModelFile(path.dirname(loc.dir), name, model)
      : await readObject(
          ctx.bucket.s3,
          loc.bucket,
          `${path.posix.dirname(loc.prefix.replace(/\/$/, ''))}/${name}`,
          MAX_OBJECT_BYTES,
        );
  const modelJson = (await read(path.posix.basename(model))).toString('utf8');
  const manifest = JSON.parse(modelJson) as { weightsManifest?: { paths: string[] }[] };
  const paths = manifest.weightsManifest?.flatMap((g) => g.paths) ?? [];
  if (paths.length === 0) throw new StageFailure(`${model}: model.json lists no weights files`);
  for (const p of paths) checkWeightsPath(model, String(p));
  const parts = await Promise.all(paths.map((p) => read(p)));
  return { modelJson, weights: new Uint8Array(Buffer.concat(parts)) };
}

export const backbone = defineStage({
  def: backboneStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const imported = params.kind === 'imported' ? await readImportedModel(ctx, params.model) : undefined;
    const model =
      params.kind === 'random' ? buildBackbone(params.arch) : await loadBackboneFromMemory(imported!);
    const saved = await saveBackboneToMemory(model);
    await ctx.writer.putBuffer('model.json', Buffer.from(saved.modelJson, 'utf8'));
    await ctx.writer.putBuffer('weights.bin', saved.weights);
    const outputShape = model.outputs[0]?.shape ?? [];
    model.dispose();
    return {
      metrics: { featureDim: outputShape[outputShape.length - 1] ?? null },
      backend: backendLabel(info),
      ...(imported?.source ? { builtFrom: { 'alias/backbone': imported.source } } : {}),
    };
  },
});
