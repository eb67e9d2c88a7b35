import { snapshotStage } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage } from '../stage-types.js';
import { allowedLocation } from './support/data-roots.js';
import { fingerprintDataset } from './support/dataset-location.js';

export const snapshot = defineStage({
  def: snapshotStage,
  async run(ctx, params) {
    const location = await allowedLocation(ctx, params.location, 'dataset.location');
    const entries = await fingerprintDataset(ctx.bucket.s3, location);
    const annotations = entries.filter((e) =>
      /^annotations\/annotations_(train|val|test)\.csv$/.test(e.name),
    );
    if (annotations.length === 0) {
      throw new StageFailure(
        `dataset ${params.location}: no annotations/annotations_{train,val,test}.csv found ` +
          '(expected the SKU110K layout: images/ and annotations/; `shelfssl data make-shelves` makes one)',
      );
    }
    await ctx.writer.putJson('fingerprint.json', { labels: params.labels, files: entries });
    return { metrics: { files: entries.length, bytes: entries.reduce((s, e) => s + e.size, 0) } };
  },
});
