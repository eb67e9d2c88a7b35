import { existsSync } from 'node:fs';
import {
  CROP_ENTRIES_FILE,
  CROP_INDEX_FILE,
  type CropIndex,
  type CropIndexEntry,
  cropEntries,
  readCropIndex,
} from '../../../data/crop/index-format.js';
import { type LoadedCropIndex, type LoadedCropPool, loadCropPoolDir } from '../../../data/crop/load-pool.js';
import { ShardedCropRows } from '../../../data/crop/pool-rows.js';
import type { LoadedInput } from '../../stage-types.js';
import { downloadInputFiles, downloadTo } from './artefact-files.js';

export type CropPool = LoadedCropPool;

/** The crop artefact's one pool (`all`: every crop, label-blind), downloaded (sha256-verified) into memory. */
export async function loadCropPool(crops: LoadedInput, scratch: string): Promise<CropPool> {
  return await loadCropPoolDir(await downloadInputFiles(crops, 'all', scratch));
}

export interface CropPoolIndex {
  /** The local pool folder (index files only; shards are downloaded by whoever needs them). */
  dir: string;
  header: CropIndex;
  /** The entries in row order, streamed from index.ndjson: each call starts a new pass. */
  entries(): AsyncGenerator<CropIndexEntry>;
}

/** Only the crop index (box ids, images, held-out split), without the pixels: the entries stream. */
export async function readCropPoolIndex(crops: LoadedInput, scratch: string): Promise<CropPoolIndex> {
  const wanted = new Set([`all/${CROP_INDEX_FILE}`, `all/${CROP_ENTRIES_FILE}`]);
  const dir = await downloadInputFiles(crops, 'all', scratch, (name) => wanted.has(name));
  const header = await readCropIndex(dir);
  return { dir, header, entries: () => cropEntries(dir, header) };
}

/** Row indices of the crops outside the held-out region: what self-supervised training may see. */
export function trainRegionRows(index: Pick<LoadedCropIndex, 'entries'>): number[] {
  return index.entries.flatMap((e, i) => (e.split === 'test' ? [] : [i]));
}

/**
 * The pool's pixels by row, a shard at a time: each shard is downloaded (sha256-verified) the first time a
 * row in it is wanted, and only one is held in memory. What features and features-part read.
 */
export function cropRowsOf(crops: LoadedInput, pool: CropPoolIndex): ShardedCropRows {
  return new ShardedCropRows(pool.dir, pool.header, async (file, dest) => {
    if (!existsSync(dest)) await downloadTo(crops, `all/${file}`, dest);
  });
}
