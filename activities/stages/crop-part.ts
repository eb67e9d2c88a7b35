import path from 'node:path';
import { forEachOrdered } from '../../data/concurrency.js';
import { groupByImage } from '../../data/crop/crop-shelf-images.js';
import { cropPartStage } from '../../pipelines/stages.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
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
    const { boxes } = await readInputJson(ctx.inputs.boxes, 'boxes.json');
    const location = await allowedLocation(ctx, params.location, 'dataset.location');
    const root = await materialiseDataset(ctx.bucket.s3, location, ctx.scratchDir);
    const jobs = groupByImage(boxes).filter((j) => partitionOf(j.image, params.parts) === params.part);
    const photos: Photo[] = [];
    await forEachOrdered(
      jobs,
      { concurrency: 2 },
      (job) => photoCrops(ctx, path.join(root, 'images'), job, params),
      ({ photo }, _job, i) => {
        photos.push(photo);
        ctx.progress({
          done: i + 1,
          total: jobs.length,
          unit: 'images',
          message: `partition ${params.part}`,
        });
      },
    );
    await ctx.writer.putJson('images.json', contentOf(photos));
    return { metrics: { photos: photos.length, ...countPhotos(photos) }, builtFrom: builtFromPhotos(photos) };
  },
});
