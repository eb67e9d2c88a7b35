import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { collectRecords, readIndexHeader, readNdjsonRecords } from '../ndjson-index.js';
import { decodeNpy } from '../npy.js';

export const POOLS = ['labelled', 'unlabelled'] as const;
/** `all`: every crop, label-blind (the crop stage's output); the two others split by labels (benchmarks). */
export type Pool = (typeof POOLS)[number] | 'all';

/** A shard is a plain file in the pool folder: index.json comes from the bucket and must name no other file. */
const shardName = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}\.npy$/, 'a shard is a plain .npy file name in the pool folder');

export const cropIndexEntrySchema = z.object({
  boxId: z.string(),
  image: z.string(),
  /** The SKU110K split of the shelf image the crop came from. */
  sourceSplit: z.enum(['train', 'val', 'test']),
  /**
   * Labelled pool: the fixed train/test split of the crop. Unlabelled pool: null. Pool `all`: `test` for a box
   * in the held-out region (data/crop/held-out.ts), else `train`, labelled or not.
   */
  split: z.enum(['train', 'test']).nullable(),
  /** Index into `classes`, or null in the unlabelled pool and the label-blind pool `all`. */
  label: z.number().int().min(0).nullable(),
  /** Shard file name inside the pool folder. */
  shard: shardName,
  /** Row of the crop within the shard array. */
  row: z.number().int().min(0),
  /** The box [x1, y1, x2, y2] in shelf-image pixels, before padding. */
  box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
});
export type CropIndexEntry = z.infer<typeof cropIndexEntrySchema>;

/** Version 2: the header (index.json) holds no entries; they are one NDJSON line each in index.ndjson. */
export const CROP_INDEX_VERSION = 2;
export const CROP_INDEX_FILE = 'index.json';
export const CROP_ENTRIES_FILE = 'index.ndjson';

export const cropIndexSchema = z.object({
  format: z.literal('shelfssl-crops'),
  version: z.literal(CROP_INDEX_VERSION),
  pool: z.enum([...POOLS, 'all']),
  cropSize: z.number().int().positive(),
  channels: z.literal(3),
  dtype: z.literal('uint8'),
  layout: z.literal('NHWC'),
  padding: z.number(),
  classes: z.array(z.string()),
  seed: z.number(),
  testShare: z.number(),
  shards: z.array(z.object({ file: shardName, rows: z.number().int().min(0) })),
  count: z.number().int().min(0),
});
/** A pool's header: everything but the entries, which `cropEntries` streams. */
export type CropIndex = z.infer<typeof cropIndexSchema>;

/** Reads and validates `<poolDir>/index.json` (the header); errors name the field that is wrong. */
export async function readCropIndex(poolDir: string): Promise<CropIndex> {
  return await readIndexHeader(path.join(poolDir, CROP_INDEX_FILE), cropIndexSchema, {
    format: 'shelfssl-crops',
    version: CROP_INDEX_VERSION,
    step: 'crop',
  });
}

/** The pool's entries in row order, one line of `<poolDir>/index.ndjson` at a time. */
export function cropEntries(poolDir: string, index: CropIndex): AsyncGenerator<CropIndexEntry> {
  const source = { file: path.join(poolDir, CROP_ENTRIES_FILE), step: 'crop', count: index.count };
  return readNdjsonRecords(source, cropIndexEntrySchema);
}

/** Every entry, collected: only for pools known to be small (tests, the labelled benchmark pools). */
export async function collectCropEntries(poolDir: string, index: CropIndex): Promise<CropIndexEntry[]> {
  const source = { file: path.join(poolDir, CROP_ENTRIES_FILE), step: 'crop', count: index.count };
  return await collectRecords(source, cropIndexEntrySchema);
}

/** Loads one shard as uint8 NHWC pixels. */
export async function readCropShard(
  poolDir: string,
  shard: string,
): Promise<{ pixels: Uint8Array; rows: number; size: number }> {
  const array = decodeNpy(await readFile(path.join(poolDir, shard)));
  const [rows, size, , channels] = array.shape;
  if (
    array.dtype !== 'uint8' ||
    array.shape.length !== 4 ||
    channels !== 3 ||
    rows === undefined ||
    size === undefined
  ) {
    throw new Error(
      `${shard}: expected uint8 [n, S, S, 3], got ${array.dtype} ${JSON.stringify(array.shape)}`,
    );
  }
  return { pixels: array.data as Uint8Array, rows, size };
}
