import path from 'node:path';
import { forEachOrdered } from '../concurrency.js';
import type { BoxRow } from '../sku110k/types.js';
import {
  type CropOptions,
  type CropProgress,
  cropOneImage,
  cropOptionsSchema,
  groupByImage,
  type ImageJob,
  type PoolSummary,
} from './crop-shelf-images.js';
import { isHeldOut } from './held-out.js';
import { CROP_INDEX_VERSION } from './index-format.js';
import { PoolWriter } from './pool-writer.js';

export type CropAllOptions = Omit<CropOptions, 'labels' | 'classes' | 'boxes'> & {
  /** The boxes (grouped by photo here), or already one photo at a time (streamed from boxes.ndjson). */
  boxes: readonly BoxRow[] | AsyncIterable<ImageJob>;
  /** Photos in all, for progress, when `boxes` is a stream (else counted). */
  totalImages?: number;
  onProgress?: (progress: CropProgress) => void;
  /** Crops one photo (its boxes in order): default decode + cut; the crop stage reuses per-photo artefacts. */
  cropJob?: (job: ImageJob) => Promise<Uint8Array>;
};

export interface CropAllResult {
  cropSize: number;
  images: number;
  crops: number;
  /** Crops in the held-out region (the test split's candidates, never pretrained on). */
  heldOut: number;
  pool: PoolSummary;
}

/**
 * Label-blind cropping: every box into one pool `all` (folder `<outDir>/all`), each marked `split: 'test'` when
 * it lies in the held-out region, else `train`. Nothing here reads a label, so the output (and every stage
 * downstream that reads only it: SwAV, features) stays the same when labels.csv changes. Same decoding,
 * ordering and determinism as `cropShelfImages`.
 */
export async function cropAllBoxes(options: CropAllOptions): Promise<CropAllResult> {
  const opts = cropOptionsSchema.parse(options);
  const jobs = isStream(options.boxes) ? options.boxes : groupByImage(options.boxes);
  const totalImages = Array.isArray(jobs) ? jobs.length : (options.totalImages ?? 0);
  const writer = new PoolWriter(
    path.join(opts.outDir, 'all'),
    'all',
    {
      format: 'shelfssl-crops',
      version: CROP_INDEX_VERSION,
      cropSize: opts.cropSize,
      channels: 3,
      dtype: 'uint8',
      layout: 'NHWC',
      padding: opts.padding,
      classes: [],
      seed: opts.seed,
      testShare: opts.testShare,
    },
    opts.shardSize,
  );
  await writer.open();
  const rowBytes = opts.cropSize * opts.cropSize * 3;
  const imagesDir = path.join(opts.root, 'images');
  let crops = 0;
  let heldOut = 0;
  let images = 0;
  await forEachOrdered(
    jobs,
    { concurrency: opts.concurrency },
    (job) => (options.cropJob ? options.cropJob(job) : cropOneImage(imagesDir, job, opts)),
    async (pixels, job, index) => {
      for (let i = 0; i < job.boxes.length; i++) {
        const box = job.boxes[i]!;
        const held = isHeldOut(box.boxId, opts.seed, opts.testShare);
        if (held) heldOut++;
        await writer.add(pixels, i * rowBytes, {
          boxId: box.boxId,
          image: box.image,
          sourceSplit: box.split,
          split: held ? 'test' : 'train',
          label: null,
          box: [box.x1, box.y1, box.x2, box.y2],
        });
      }
      crops += job.boxes.length;
      images = index + 1;
      options.onProgress?.({ doneImages: images, totalImages: Math.max(totalImages, images), crops });
    },
  );
  const pool = await writer.close();
  return { cropSize: opts.cropSize, images, crops, heldOut, pool: { dir: writer.dir, ...pool } };
}

function isStream(boxes: CropAllOptions['boxes']): boxes is AsyncIterable<ImageJob> {
  return Symbol.asyncIterator in boxes;
}
