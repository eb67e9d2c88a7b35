import { type LoadedCropPool, loadCropPoolDir } from '../../../data/crop/load-pool.js';
import type { LoadedInput } from '../../stage-types.js';
import { downloadInputFiles } from './artefact-files.js';

export type CropPool = LoadedCropPool;

/** Downloads one pool of the crop artefact (verifying every file) and loads its pixels into memory. */
export async function loadCropPool(
  crops: LoadedInput,
  pool: 'labelled' | 'unlabelled',
  scratch: string,
): Promise<CropPool> {
  return await loadCropPoolDir(await downloadInputFiles(crops, pool, scratch));
}
