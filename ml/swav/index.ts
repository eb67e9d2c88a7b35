// SwAV (Caron et al. 2020) in TensorFlow.js; ml/swav/README.md says which file to read first.
export { gaussianBlurBatch } from './blur.js';
export {
  COLLAPSE_FIX_KEYS,
  type CollapseFixKey,
  type CollapseOptions,
  type CollapseRecovery,
  type CollapseVerdict,
  collapseSigns,
  detectCollapse,
  type FixValue,
} from './collapse.js';
export { type ColorFactors, distortColors } from './color.js';
export { type CropBox, randomResizedCropBox } from './crop-boxes.js';
export { type EpochStats, type StepStats, stepStats } from './epoch-stats.js';
export { crossValidatedKnn, type KnnMonitorInput } from './knn-monitor.js';
export { swavLoss } from './loss.js';
export { createSwavModel, type SwavModel, type SwavModelConfig } from './model.js';
export {
  type BlurConfig,
  type ColorJitterConfig,
  type CropGroupConfig,
  type MultiCropConfig,
  multiCropBatch,
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
export { decodeSwavState, encodeSwavState } from './state-codec.js';
export {
  type ImageBatch,
  type StepResult,
  SwavTrainer,
  type SwavTrainerConfig,
  type SwavTrainerState,
} from './trainer.js';
export { swavTrainerConfig } from './trainer-config.js';
