import path from 'node:path';
import { type CropIndex, readCropIndex, readCropShard } from '../../data/crop/index.js';
import type { LoadedInput } from '../stage-types.js';
import { downloadInputFiles } from './artefact-files.js';

export interface CropPool {
  index: CropIndex;
  /** uint8 NHWC, all shards concatenated in index order. */
  pixels: Uint8Array;
  n: number;
  size: number;
}

/** Downloads one pool of the crop artefact (verifying every file) and loads its pixels into memory. */
export async function loadCropPool(
  crops: LoadedInput,
  pool: 'labelled' | 'unlabelled',
  scratch: string,
): Promise<CropPool> {
  const dir = await downloadInputFiles(crops, pool, scratch);
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

export function poolDir(scratch: string, pool: string): string {
  return path.join(scratch, 'crop', pool);
}
