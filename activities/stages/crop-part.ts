import path from 'node:path';
import { forEachOrdered } from '../../data/concurrency.js';
import type { PhotoBoxes } from '../../data/sku110k/box-records.js';
import { cropPartStage } from '../../pipelines/stages.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { inputPhotos } from './support/box-table.js';
import { allowedLocation } from './support/data-roots.js';
import { materialiseDataset } from './support/dataset-location.js';
import { contentOf, countPhotos, type Photo, photoCrops } from './support/photo-crops.js';
import { builtFromPhotos, partitionOf } from './support/photo-partitions.js';

/**
 * A partition of the crop work: the photos whose name hashes to `part` become `crop-image` artefacts (or
 * are found made). The `crop` node after the partitions then only reads them back into its pool.
 */
export const cropPart = defineStage({
  def: cropPartStage,
  async run(ctx, params) {
    const mine = (image: string) => partitionOf(image, params.parts) === params.part;
    const header = await readInputJson(ctx.inputs.boxes, 'boxes.json');
    const photosOfBoxes = await inputPhotos(ctx.inputs.boxes, header, ctx.scratchDir);
    const location = await allowedLocation(ctx, params.location, 'dataset.location');
    const root = await materialiseDataset(ctx.bucket.s3, location, ctx.scratchDir);
    // Counted first (names only), for progress; then the partition's photos stream through one at a time.
    let total = 0;
    for await (const job of photosOfBoxes()) if (mine(job.image)) total++;
    const photos: Photo[] = [];
    await forEachOrdered(
      filterPhotos(photosOfBoxes(), mine),
      { concurrency: 2 },
      (job) => photoCrops(ctx, path.join(root, 'images'), job, params),
      ({ photo }, _job, i) => {
        photos.push(photo);
        ctx.progress({
          done: i + 1,
          total,
          unit: 'images',
          message: `partition ${params.part}`,
        });
      },
    );
    await ctx.writer.putJson('images.json', contentOf(photos));
    return { metrics: { photos: photos.length, ...countPhotos(photos) }, builtFrom: builtFromPhotos(photos) };
  },
});

async function* filterPhotos(
  photos: AsyncIterable<PhotoBoxes>,
  keep: (image: string) => boolean,
): AsyncGenerator<PhotoBoxes> {
  for await (const photo of photos) if (keep(photo.image)) yield photo;
}
