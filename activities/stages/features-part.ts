import { featuresPartStage } from '../../pipelines/stages.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { cropRowsOf, readCropPoolIndex } from './support/crop-pool.js';
import { backendLabel, ensureBackend } from './support/ml-runtime.js';
import { counts, ensurePhotoFeatures, photoRows, refsOf } from './support/photo-features.js';
import { partitionOf } from './support/photo-partitions.js';

/** A partition of the feature extraction: the photos whose name hashes to `part`, as per-photo artefacts. */
export const featuresPart = defineStage({
  def: featuresPartStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const { photos } = await readInputJson(ctx.inputs.crops, 'images.json');
    const pool = cropRowsOf(ctx.inputs.crops, await readCropPoolIndex(ctx.inputs.crops, ctx.scratchDir));
    const mine = (await photoRows(ctx, photos)).filter(
      (p) => partitionOf(p.image, params.parts) === params.part,
    );
    const started = Date.now();
    await ensurePhotoFeatures(ctx, params, pool, mine);
    const c = counts(mine);
    const seconds = (Date.now() - started) / 1000;
    await ctx.writer.putJson('images.json', {
      photos: mine.map((p) => ({ image: p.image, rows: p.rows, ref: p.ref! })),
    });
    return {
      metrics: { photos: mine.length, ...c, imagesPerSecond: c.rowsComputed / Math.max(seconds, 1e-3) },
      backend: backendLabel(info),
      builtFrom: refsOf(mine),
    };
  },
});
