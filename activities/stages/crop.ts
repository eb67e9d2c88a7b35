import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { ImageJob } from '../../data/crop/crop-shelf-images.js';
import { cropAllBoxes } from '../../data/crop/index.js';
import { cropStage } from '../../pipelines/stages.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { inputPhotos } from './support/box-table.js';
import { allowedLocation } from './support/data-roots.js';
import { materialiseDataset } from './support/dataset-location.js';
import { contentOf, countPhotos, type Photo, photoCrops } from './support/photo-crops.js';
import { builtFromPhotos } from './support/photo-partitions.js';

export const crop = defineStage({
  def: cropStage,
  async run(ctx, params) {
    // Boxes only (the boxes stage drops the labels): the output is the same whatever labels.csv says.
    const header = await readInputJson(ctx.inputs.boxes, 'boxes.json');
    const photosOfBoxes = await inputPhotos(ctx.inputs.boxes, header, ctx.scratchDir);
    const location = await allowedLocation(ctx, params.location, 'dataset.location');
    const root = await materialiseDataset(ctx.bucket.s3, location, ctx.scratchDir);
    const outDir = path.join(ctx.scratchDir, 'crops');
    const imagesDir = path.join(root, 'images');
    const photos: Photo[] = [];
    const order: string[] = [];
    const started = Date.now();
    const result = await cropAllBoxes({
      root,
      outDir,
      boxes: inOrder(photosOfBoxes(), order),
      totalImages: header.photos,
      cropSize: params.cropSize,
      padding: params.padding,
      shardSize: params.shardSize,
      testShare: params.testShare,
      seed: params.seed,
      // Photos come back in order (forEachOrdered), so `photos` lists them in pool order.
      cropJob: async (job) => {
        const { photo, pixels } = await photoCrops(ctx, imagesDir, job, params);
        photos.push(photo);
        return pixels;
      },
      onProgress: (p) =>
        ctx.progress({
          done: p.doneImages,
          total: p.totalImages,
          unit: 'images',
          message: `${p.crops} crops`,
        }),
    });
    const seconds = (Date.now() - started) / 1000;
    for (const file of (await readdir(result.pool.dir)).sort())
      await ctx.writer.putFile(`all/${file}` as `all/${string}.npy`, path.join(result.pool.dir, file));
    const report = {
      images: result.images,
      crops: result.crops,
      heldOut: result.heldOut,
      cropSize: result.cropSize,
    };
    // The throughput is a timing, so it goes to the manifest's metrics only: in the content file it made
    // every recompute (e.g. after a corrupted shard) a new digest and invalidated everything downstream.
    await ctx.writer.putJson('crop-report.json', report);
    const ordered = orderLike(photos, order);
    await ctx.writer.putJson('images.json', contentOf(ordered));
    return {
      metrics: { ...report, ...countPhotos(ordered), cropsPerSecond: result.crops / Math.max(seconds, 1e-3) },
      builtFrom: builtFromPhotos(ordered),
    };
  },
});

/** Photos in pool (job) order: workers finish out of order, the pool is written in order. */
function orderLike(photos: readonly Photo[], order: readonly string[]): Photo[] {
  const byImage = new Map(photos.map((p) => [p.image, p]));
  return order.map((image) => byImage.get(image)!);
}

/** Passes the photos through, noting their order (the pool's) in `order`. */
async function* inOrder(jobs: AsyncIterable<ImageJob>, order: string[]): AsyncGenerator<ImageJob> {
  for await (const job of jobs) {
    order.push(job.image);
    yield job;
  }
}
