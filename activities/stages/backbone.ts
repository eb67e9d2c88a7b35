import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildBackbone, loadBackboneFromMemory, saveBackboneToMemory } from '../../ml/models/index.js';
import { backboneStage } from '../../pipelines/stages.js';
import { readObject } from '../../store/s3.js';
import { StageFailure } from '../stage-runner.js';
import type { StageContext } from '../stage-types.js';
import { defineStage } from '../stage-types.js';
import { parseLocation } from './support/dataset-location.js';
import { backendLabel, ensureBackend } from './support/ml-runtime.js';

/** Reads a TensorFlow.js model.json and its single weights file from a path or s3://bucket/key. */
async function readImportedModel(
  ctx: StageContext,
  model: string,
): Promise<{ modelJson: string; weights: Uint8Array }> {
  const loc = parseLocation(model);
  const read = async (name: string) =>
    loc.kind === 'local'
      ? await readFile(path.join(path.dirname(loc.dir), name))
      : await readObject(
          ctx.bucket.s3,
          loc.bucket,
          `${path.posix.dirname(loc.prefix.replace(/\/$/, ''))}/${name}`,
        );
  const modelJson = (
    loc.kind === 'local' ? await readFile(loc.dir) : await read(path.posix.basename(model))
  ).toString('utf8');
  const manifest = JSON.parse(modelJson) as { weightsManifest?: { paths: string[] }[] };
  const paths = manifest.weightsManifest?.flatMap((g) => g.paths) ?? [];
  if (paths.length === 0) throw new StageFailure(`${model}: model.json lists no weights files`);
  const parts = await Promise.all(paths.map((p) => read(p)));
  return { modelJson, weights: new Uint8Array(Buffer.concat(parts)) };
}

export const backbone = defineStage({
  def: backboneStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const model =
      params.kind === 'random'
        ? buildBackbone(params.arch)
        : await loadBackboneFromMemory(await readImportedModel(ctx, params.model));
    const saved = await saveBackboneToMemory(model);
    await ctx.writer.putBuffer('model.json', Buffer.from(saved.modelJson, 'utf8'));
    await ctx.writer.putBuffer('weights.bin', saved.weights);
    const outputShape = model.outputs[0]?.shape ?? [];
    model.dispose();
    return {
      metrics: { featureDim: outputShape[outputShape.length - 1] ?? null },
      backend: backendLabel(info),
    };
  },
});
