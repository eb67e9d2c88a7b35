export { gaussianBlurBatch, gaussianTaps } from './blur.js';
export {
  COLLAPSE_FIX_KEYS,
  COLLAPSE_FIXES,
  COLLAPSE_SIGNS,
  type CollapseFixKey,
  type CollapseOptions,
  type CollapseRecovery,
  type CollapseVerdict,
  collapseSigns,
  detectCollapse,
  type FixValue,
} from './collapse.js';
export { type ColorFactors, distortColors, luma } from './color.js';
export { type CropBox, randomResizedCropBox } from './crop-boxes.js';
export { type EpochStats, type EpochStatsSums, type StepStats, stepStats } from './epoch-stats.js';
export { crossValidatedKnn, type KnnMonitorInput } from './knn-monitor.js';
export { swavLoss } from './loss.js';
export { createSwavModel, type NamedWeight, type SwavModel, type SwavModelConfig } from './model.js';
export {
  type BlurConfig,
  type ColorJitterConfig,
  type CropGroupConfig,
  type MultiCropConfig,
  multiCropBatch,
  SWAV_BLUR,
  SWAV_COLOR_JITTER,
  swavMultiCropConfig,
} from './multicrop.js';
export {
  type ResolvedSwavSettings,
  resolvedAutoValues,
  resolveSwavSettings,
  type SwavDataShape,
  SwavParams,
  type SwavSettings,
} from './params.js';
export { EmbeddingQueue, type EmbeddingQueueState } from './queue.js';
export { type LrSchedule, lrAt } from './schedule.js';
export { MomentumSgd } from './sgd.js';
export { type SinkhornOptions, sinkhornKnopp } from './sinkhorn.js';
export { snapshotOf, type TensorSnapshot } from './snapshot.js';
export { decodeSwavState, encodeSwavState } from './state-codec.js';
export {
  type EpochCursor,
  type ImageBatch,
  type StepResult,
  SWAV_STATE_FORMAT,
  SwavTrainer,
  type SwavTrainerConfig,
  type SwavTrainerState,
} from './trainer.js';
export { swavMultiCrop, swavTrainerConfig } from './trainer-config.js';
