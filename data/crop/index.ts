export { type CropAllOptions, type CropAllResult, cropAllBoxes } from './crop-all-boxes.js';
export {
  type CropOptions,
  type CropProgress,
  type CropResult,
  cropOptionsSchema,
  cropShelfImages,
  type PoolSummary,
} from './crop-shelf-images.js';
export { decodeRgb, extractCrops, paddedRegion, type Resizer } from './extract-crops.js';
export { isHeldOut } from './held-out.js';
export {
  type CropIndex,
  type CropIndexEntry,
  collectCropEntries,
  cropEntries,
  cropIndexEntrySchema,
  cropIndexSchema,
  POOLS,
  type Pool,
  readCropIndex,
  readCropShard,
} from './index-format.js';
export { type LoadedCropIndex, readCropIndexWithEntries } from './load-pool.js';
export { stratifiedTestSplit } from './test-split.js';
