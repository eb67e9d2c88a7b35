import path from 'node:path';
import { NdjsonWriter } from '../../data/ndjson-index.js';
import { decodeNpy, encodeNpy } from '../../data/npy.js';
import {
  FEATURE_ENTRIES_FILE,
  FEATURES_INDEX_VERSION,
  type FeatureEntry,
  type FeatureIndexHeader,
} from '../../pipelines/artefacts/feature-index-file.js';
import { featuresStage } from '../../pipelines/stages.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { cropRowsOf, readCropPoolIndex } from './support/crop-pool.js';
import { backendLabel, ensureBackend } from './support/ml-runtime.js';
import {
  counts,
  ensurePhotoFeatures,
  type FeatureShard,
  photoRows,
  refsOf,
  shardName,
} from './support/photo-features.js';
import { findPhotoArtefact, readPhotoFile } from './support/photo-partitions.js';

export type { FeatureShard } from './support/photo-features.js';

export const features = defineStage({
  def: featuresStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const { photos } = await readInputJson(ctx.inputs.crops, 'images.json');
    const pool = await readCropPoolIndex(ctx.inputs.crops, ctx.scratchDir);
    const all = await photoRows(ctx, photos);
    const started = Date.now();
    let dim = await ensurePhotoFeatures(ctx, params, cropRowsOf(ctx.inputs.crops, pool), all);
    // Assemble: every photo's features in pool order, re-cut into shards of shardRows.
    const shards: FeatureShard[] = [];
    let buffer: Float32Array | undefined;
    let filled = 0;
    const flush = async () => {
      if (!buffer || filled === 0) return;
      const name = shardName('all', shards.length);
      await ctx.writer.putBuffer(name, encodeNpy(buffer.subarray(0, filled * dim), [filled, dim]));
      shards.push({ file: name, rows: filled });
      filled = 0;
    };
    for (const [i, p] of all.entries()) {
      const found = await findPhotoArtefact(ctx.bucket, 'feature-image', p.key);
      if (!found) throw new Error(`feature-image ${p.key} of ${p.image} vanished while assembling (retry)`);
      const arr = decodeNpy(await readPhotoFile(ctx.bucket, found, 'features.npy'));
      const rows = arr.data as Float32Array;
      if (dim === 0) dim = arr.shape[1] ?? 0;
      buffer ??= new Float32Array(params.shardRows * dim);
      for (let r = 0; r < p.rows; r++) {
        buffer.set(rows.subarray(r * dim, (r + 1) * dim), filled * dim);
        filled++;
        if (filled === params.shardRows) await flush();
      }
      ctx.progress({ done: i + 1, total: all.length, unit: 'images', message: 'assembling' });
    }
    await flush();
    // The entries stream from the crop index to index.ndjson, one line each, in the same row order.
    const entriesFile = path.join(ctx.scratchDir, `features-${FEATURE_ENTRIES_FILE}`);
    const entries = await NdjsonWriter.open<FeatureEntry>(entriesFile);
    for await (const e of pool.entries()) {
      await entries.write({ boxId: e.boxId, image: e.image, split: e.split === 'test' ? 'test' : 'train' });
    }
    await entries.close();
    await ctx.writer.putFile(FEATURE_ENTRIES_FILE, entriesFile);
    const index: FeatureIndexHeader = {
      format: 'shelfssl-features',
      version: FEATURES_INDEX_VERSION,
      dtype: 'float32',
      dim,
      count: pool.header.count,
      shards,
    };
    await ctx.writer.putJson('index.json', index);
    const c = counts(all);
    const seconds = (Date.now() - started) / 1000;
    return {
      metrics: {
        images: pool.header.count,
        dim,
        computed: c.rowsComputed,
        ...c,
        imagesPerSecond: c.rowsComputed / Math.max(seconds, 1e-3),
      },
      backend: backendLabel(info),
      builtFrom: refsOf(all),
    };
  },
});
