export {
  foldStandardisation,
  headToLayersModel,
  headToTfjsModelFiles,
  loadTfjsModelFiles,
  type TfjsModelFiles,
} from './export.js';
export { fitSoftmaxRegression, type SoftmaxFit, type SoftmaxFitInput } from './fit.js';
export { type ExtraTrainingRows, HEAD_DEFAULTS, trainLinearHead } from './linear-head.js';
export { type HeadPredictions, predictHead } from './predict.js';
export {
  type PseudoLabelRound,
  type SemiSupervisedOptions,
  type SemiSupervisedResult,
  trainSemiSupervisedHead,
} from './semi-supervised.js';
export { selectRows, stratifiedSplit } from './split.js';
export { featureMoments, identityMoments, standardiseRows } from './standardise.js';
export type { EpochRecord, HeadTrainingOptions, HeadTrainingResult, LinearHead } from './types.js';
