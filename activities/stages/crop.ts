import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { cropShelfImages } from '../../data/crop/index.js';
import { cropStage } from '../../pipelines/stages.js';
import { defineStage, type StageContext } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { allowedLocation } from './support/data-roots.js';
import { materialiseDataset } from './support/dataset-location.js';

async function uploadPool(
  ctx: StageContext<typeof cropStage>,
  outDir: string,
  pool: 'labelled' | 'unlabelled',
): Promise<void> {
  const dir = path.join(outDir, pool);
  for (const file of (await readdir(dir)).sort())
    await ctx.writer.putFile(`${pool}/${file}` as `${typeof pool}/${string}.npy`, path.join(dir, file));
}

export const crop = defineStage({
  def: cropStage,
  async run(ctx, params) {
    const table = await readInputJson(ctx.inputs.ingest, 'boxes.json');
    const location = await allowedLocation(ctx, params.location, 'dataset.location');
    const root = await materialiseDataset(ctx.bucket.s3, location, ctx.scratchDir);
    const outDir = path.join(ctx.scratchDir, 'crops');
    const started = Date.now();
    const result = await cropShelfImages({
      root,
      outDir,
      boxes: table.boxes,
      labels: table.labels,
      classes: table.classes,
      cropSize: params.cropSize,
      padding: params.padding,
      shardSize: params.shardSize,
      testShare: params.testShare,
      seed: params.seed,
      onProgress: (p) =>
        ctx.progress({
          done: p.doneImages,
          total: p.totalImages,
          unit: 'images',
          message: `${p.crops} crops`,
        }),
    });
    const seconds = (Date.now() - started) / 1000;
    await uploadPool(ctx, outDir, 'labelled');
    await uploadPool(ctx, outDir, 'unlabelled');
    const report = {
      images: result.images,
      crops: result.crops,
      labelled: result.labelled.count,
      unlabelled: result.unlabelled.count,
      train: result.labelled.train,
      test: result.labelled.test,
      perClass: result.labelled.perClass,
      classes: result.classes,
      cropSize: result.cropSize,
    };
    // The throughput is a timing, so it goes to the manifest's metrics only: in the content file it made
    // every recompute (e.g. after a corrupted shard) a new digest and invalidated everything downstream.
    await ctx.writer.putJson('crop-report.json', report);
    return { metrics: { ...report, cropsPerSecond: result.crops / Math.max(seconds, 1e-3) } };
  },
});
