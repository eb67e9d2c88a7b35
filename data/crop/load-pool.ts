import {
  type CropIndex,
  type CropIndexEntry,
  collectCropEntries,
  readCropIndex,
  readCropShard,
} from './index-format.js';

/** A pool's header with its entries collected: for readers that hold the whole pool anyway (training). */
export type LoadedCropIndex = CropIndex & { entries: CropIndexEntry[] };

export interface LoadedCropPool {
  index: LoadedCropIndex;
  /** uint8 NHWC, all shards concatenated in index order. */
  pixels: Uint8Array;
  n: number;
  size: number;
}

/** The header and every entry of a pool folder (index.json + index.ndjson), without pixels. */
export async function readCropIndexWithEntries(dir: string): Promise<LoadedCropIndex> {
  const index = await readCropIndex(dir);
  return { ...index, entries: await collectCropEntries(dir, index) };
}

/**
 * Reads a pool folder (index + shards) into one pixel buffer: for SwAV and supervised training, which see every
 * crop each epoch. Stages whose memory must not grow with the pool read it a shard at a time (pool-rows.ts).
 */
export async function loadCropPoolDir(dir: string): Promise<LoadedCropPool> {
  const index = await readCropIndexWithEntries(dir);
  const per = index.cropSize * index.cropSize * 3;
  const pixels = new Uint8Array(index.count * per);
  let offset = 0;
  for (const shard of index.shards) {
    const data = await readCropShard(dir, shard.file);
    pixels.set(data.pixels.subarray(0, shard.rows * per), offset);
    offset += shard.rows * per;
  }
  return { index, pixels, n: index.count, size: index.cropSize };
}
