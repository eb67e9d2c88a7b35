import { type CropIndex, readCropIndex } from '../../../data/crop/index-format.js';
import { type LoadedCropPool, loadCropPoolDir } from '../../../data/crop/load-pool.js';
import type { LoadedInput } from '../../stage-types.js';
import { downloadInputFiles } from './artefact-files.js';

export type CropPool = LoadedCropPool;

/** The crop artefact's one pool (`all`: every crop, label-blind), downloaded (sha256-verified) into memory. */
export async function loadCropPool(crops: LoadedInput, scratch: string): Promise<CropPool> {
  return await loadCropPoolDir(await downloadInputFiles(crops, 'all', scratch));
}

/** Only the crop index (box ids, images, held-out split), without the pixels. */
export async function readCropPoolIndex(crops: LoadedInput, scratch: string): Promise<CropIndex> {
  return await readCropIndex(
    await downloadInputFiles(crops, 'all', scratch, (name) => name === 'all/index.json'),
  );
}

/** Row indices of the crops outside the held-out region: what self-supervised training may see. */
export function trainRegionRows(index: CropIndex): number[] {
  return index.entries.flatMap((e, i) => (e.split === 'test' ? [] : [i]));
}
