import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_CLASSES } from '../classes.js';
import { forEachOrdered } from '../concurrency.js';
import type { BoxLabel } from '../labels/match-labels.js';
import { confinedFile, IMAGE_WORDING } from '../sku110k/safe-path.js';
import type { BoxRow } from '../sku110k/types.js';
import {
  chooseReduction,
  type DecodedImage,
  type DecodeMode,
  decodeRgbReduced,
  extractCrops,
  paddedRegion,
  type Resizer,
  scaleRegion,
} from './extract-crops.js';
import { CROP_INDEX_VERSION } from './index-format.js';
import { type PoolMeta, PoolWriter } from './pool-writer.js';
import { stratifiedTestSplit } from './test-split.js';

export const cropOptionsSchema = z.object({
  root: z.string().min(1, 'root: the dataset folder holding images/'),
  outDir: z.string().min(1, 'outDir: where the labelled/ and unlabelled/ pools are written'),
  classes: z
    .array(z.string().min(1))
    .min(1)
    .default([...DEFAULT_CLASSES]),
  cropSize: z.number().int().min(4).max(1024, 'cropSize: crop side in pixels, e.g. 32').default(32),
  padding: z
    .number()
    .min(0)
    .max(2, 'padding: a fraction of the box size added on each side, e.g. 0.1')
    .default(0),
  shardSize: z.number().int().min(1, 'shardSize: crops per .npy shard, e.g. 4096').default(4096),
  testShare: z
    .number()
    .min(0)
    .lt(1, 'testShare: fraction of labelled crops held out, e.g. 0.15')
    .default(0.15),
  seed: z.number().int('seed must be an integer'),
  concurrency: z.number().int().min(1).default(2),
  resizer: z.enum(['js', 'sharp']).default('js'),
  /**
   * `reduced`: decode each photo at the smallest scale that keeps every box ≥ cropSize (same crops within
   * the tolerance test/data/crop-reduced.test.ts states); `full`: decode at full resolution (the old path).
   */
  decode: z.enum(['full', 'reduced']).default('reduced'),
});

export interface CropProgress {
  doneImages: number;
  totalImages: number;
  crops: number;
}

export type CropOptions = z.input<typeof cropOptionsSchema> & {
  boxes: readonly BoxRow[];
  labels: readonly BoxLabel[];
  onProgress?: (progress: CropProgress) => void;
};

export interface PoolSummary {
  /** Folder holding index.json and shard-NNNNN.npy files. */
  dir: string;
  count: number;
  shards: Array<{ file: string; rows: number }>;
}

export interface CropResult {
  cropSize: number;
  classes: string[];
  images: number;
  crops: number;
  labelled: PoolSummary & { train: number; test: number; perClass: { train: number[]; test: number[] } };
  unlabelled: PoolSummary;
}

export interface ImageJob {
  image: string;
  boxes: BoxRow[];
}

/**
 * Turns shelf images into product crops: each image is decoded once, every box cut from its pixels and resized,
 * and crops are streamed into `.npy` shards of the labelled pool (boxes with a label, split train/test with a
 * seeded per-class draw) or the unlabelled pool (every other box). Images are processed `concurrency` at a
 * time but written in input order, so the output files are identical for identical inputs and seed.
 */
export async function cropShelfImages(options: CropOptions): Promise<CropResult> {
  const opts = cropOptionsSchema.parse(options);
  const labelOf = checkedLabels(options.boxes, options.labels, opts.classes);
  const testIds = stratifiedTestSplit(options.labels, opts.testShare, opts.seed);
  const jobs = groupByImage(options.boxes);
  const meta: PoolMeta = {
    format: 'shelfssl-crops',
    version: CROP_INDEX_VERSION,
    cropSize: opts.cropSize,
    channels: 3,
    dtype: 'uint8',
    layout: 'NHWC',
    padding: opts.padding,
    classes: opts.classes,
    seed: opts.seed,
    testShare: opts.testShare,
  };
  const writers: Record<'labelled' | 'unlabelled', PoolWriter> = {
    labelled: new PoolWriter(path.join(opts.outDir, 'labelled'), 'labelled', meta, opts.shardSize),
    unlabelled: new PoolWriter(path.join(opts.outDir, 'unlabelled'), 'unlabelled', meta, opts.shardSize),
  };
  await writers.labelled.open();
  await writers.unlabelled.open();
  const perClass = { train: opts.classes.map(() => 0), test: opts.classes.map(() => 0) };
  const imagesDir = path.join(opts.root, 'images');
  const rowBytes = opts.cropSize * opts.cropSize * 3;
  let crops = 0;
  await forEachOrdered(
    jobs,
    { concurrency: opts.concurrency },
    (job) => cropOneImage(imagesDir, job, opts),
    async (pixels, job, index) => {
      for (let i = 0; i < job.boxes.length; i++) {
        const box = job.boxes[i]!;
        const label = labelOf.get(box.boxId) ?? null;
        const split = label === null ? null : testIds.has(box.boxId) ? 'test' : 'train';
        if (split !== null && label !== null) perClass[split][label]!++;
        await writers[label === null ? 'unlabelled' : 'labelled'].add(pixels, i * rowBytes, {
          boxId: box.boxId,
          image: box.image,
          sourceSplit: box.split,
          split,
          label,
          box: [box.x1, box.y1, box.x2, box.y2],
        });
      }
      crops += job.boxes.length;
      options.onProgress?.({ doneImages: index + 1, totalImages: jobs.length, crops });
    },
  );
  const labelled = await writers.labelled.close();
  const unlabelled = await writers.unlabelled.close();
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return {
    cropSize: opts.cropSize,
    classes: opts.classes,
    images: jobs.length,
    crops,
    labelled: {
      dir: writers.labelled.dir,
      ...labelled,
      train: sum(perClass.train),
      test: sum(perClass.test),
      perClass,
    },
    unlabelled: { dir: writers.unlabelled.dir, ...unlabelled },
  };
}

/** Decodes one shelf image and cuts all its boxes (uint8, box order). */
export async function cropOneImage(
  imagesDir: string,
  job: ImageJob,
  opts: { cropSize: number; padding: number; resizer: Resizer; decode: DecodeMode },
): Promise<Uint8Array> {
  // Ingest checked the image, but the folder may have changed since: check again right before reading.
  const safe = await confinedFile(imagesDir, job.image, IMAGE_WORDING);
  if (!safe.ok) throw new Error(`image ${job.image}: ${safe.detail}`);
  // Ingest measured the image: boxes are in its pixels, and a file that now decodes to more pixels is not the
  // one it accepted.
  const first = job.boxes[0]!;
  const measured = { width: first.imageWidth, height: first.imageHeight };
  const regions = job.boxes.map((box) => paddedRegion(box, opts.padding, measured.width, measured.height));
  const reduction = opts.decode === 'reduced' ? chooseReduction(regions, opts.cropSize) : 1;
  let decoded: DecodedImage;
  try {
    decoded = await decodeRgbReduced(safe.path, measured.width * measured.height, measured, reduction);
  } catch (error) {
    throw new Error(
      `cannot decode images/${job.image} (run ingest first to drop bad images): ${(error as Error).message}`,
    );
  }
  const cut =
    reduction === 1
      ? job.boxes.map((box) => paddedRegion(box, opts.padding, decoded.width, decoded.height))
      : regions.map((region) => scaleRegion(region, measured, decoded));
  return extractCrops(decoded, cut, opts.cropSize, opts.resizer);
}

/** Boxes grouped per image, images in order of first appearance, boxes in input order. */
export function groupByImage(boxes: readonly BoxRow[]): ImageJob[] {
  const jobs = new Map<string, ImageJob>();
  for (const box of boxes) {
    const job = jobs.get(box.image);
    if (job) job.boxes.push(box);
    else jobs.set(box.image, { image: box.image, boxes: [box] });
  }
  return [...jobs.values()];
}

function checkedLabels(
  boxes: readonly BoxRow[],
  labels: readonly BoxLabel[],
  classes: readonly string[],
): Map<string, number> {
  const known = new Set(boxes.map((b) => b.boxId));
  const map = new Map<string, number>();
  for (const { boxId, label } of labels) {
    if (!known.has(boxId))
      throw new Error(`labels: boxId ${boxId} is not among the boxes; match labels to these boxes`);
    if (!Number.isInteger(label) || label < 0 || label >= classes.length) {
      throw new Error(`labels: ${boxId} has class index ${label}, but classes has ${classes.length} names`);
    }
    map.set(boxId, label);
  }
  return map;
}
