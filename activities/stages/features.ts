import { z } from 'zod';
import { encodeNpy } from '../../data/npy.js';
import { extractFeatures, loadBackboneFromMemory } from '../../ml/models/index.js';
import type { FeatureIndex } from '../../pipelines/artefacts/feature-index-file.js';
import { featuresStage } from '../../pipelines/stages.js';
import { ManifestFileSchema } from '../../store/artefact-schema.js';
import { defineStage, type LoadedInput, type StageContext } from '../stage-types.js';
import { yieldToEventLoop } from './support/artefact-files.js';
import { type CropPool, loadCropPool } from './support/crop-pool.js';
import { backendLabel, ensureBackend } from './support/ml-runtime.js';

const ResumeSchema = z.object({ files: z.array(ManifestFileSchema) });

export interface FeatureShard {
  file: string;
  rows: number;
}

export async function loadFrozenBackbone(input: LoadedInput) {
  const modelJson = (await input.read('model.json')).toString('utf8');
  const weights = new Uint8Array(await input.read('weights.bin'));
  return await loadBackboneFromMemory({ modelJson, weights });
}

/** Files already uploaded by an earlier attempt of this exact node (resumable per shard). */
async function resumeFiles(ctx: StageContext<typeof featuresStage>): Promise<Set<string>> {
  const checkpoint = await ctx.loadCheckpoint();
  if (!checkpoint) return new Set();
  const { files } = ResumeSchema.parse(JSON.parse(checkpoint.blob.toString('utf8')));
  ctx.writer.adopt(files);
  ctx.log(`features: resuming with ${files.length} shard(s) already written`);
  return new Set(files.map((f) => f.name));
}

function shardName<P extends string>(pool: P, i: number): `${P}/features-${string}.npy` {
  return `${pool}/features-${String(i).padStart(5, '0')}.npy`;
}

export const features = defineStage({
  def: featuresStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const model = await loadFrozenBackbone(ctx.inputs.backbone);
    const done = await resumeFiles(ctx);
    const data: CropPool = await loadCropPool(ctx.inputs.crops, ctx.scratchDir);
    const total = data.n;
    const per = data.size ** 2 * 3;
    let processed = 0;
    let dim = 0;
    let computed = 0;
    const started = Date.now();
    const shards: FeatureShard[] = [];
    for (let start = 0, i = 0; start < data.n; start += params.shardRows, i++) {
      const rows = Math.min(params.shardRows, data.n - start);
      const name = shardName('all', i);
      shards.push({ file: name, rows });
      if (!done.has(name)) {
        const pixels = data.pixels.subarray(start * per, (start + rows) * per);
        const feats = await extractFeatures(
          model,
          pixels,
          rows,
          data.size,
          data.size,
          3,
          params.batchSize,
          (d) => ctx.progress({ done: processed + d, total, unit: 'images', message: `shard ${i}` }),
        );
        dim = feats.length / rows;
        await ctx.writer.putBuffer(name, encodeNpy(feats, [rows, dim]));
        await ctx.saveCheckpoint(
          processed + rows,
          Buffer.from(JSON.stringify({ files: ctx.writer.recorded() })),
        );
        computed += rows;
      }
      processed += rows;
      ctx.progress({ done: processed, total, unit: 'images' });
      await yieldToEventLoop();
    }
    if (dim === 0) dim = model.outputs[0]?.shape.at(-1) ?? 0;
    model.dispose();
    const index: FeatureIndex = {
      format: 'shelfssl-features',
      version: 2,
      dtype: 'float32',
      dim,
      count: data.n,
      shards,
      entries: data.index.entries.map((e) => ({
        boxId: e.boxId,
        image: e.image,
        split: e.split === 'test' ? 'test' : 'train',
      })),
    };
    await ctx.writer.putJson('index.json', index);
    const seconds = (Date.now() - started) / 1000;
    return {
      metrics: { images: total, dim, computed, imagesPerSecond: computed / Math.max(seconds, 1e-3) },
      backend: backendLabel(info),
    };
  },
});
