import { type CropIndex, readCropIndex, readCropShard } from './index-format.js';

export interface LoadedCropPool {
  index: CropIndex;
  /** uint8 NHWC, all shards concatenated in index order. */
  pixels: Uint8Array;
  n: number;
  size: number;
}

/** Reads a pool folder (index.json + shards) into one pixel buffer. */
export async function loadCropPoolDir(dir: string): Promise<LoadedCropPool> {
  const index = await readCropIndex(dir);
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
