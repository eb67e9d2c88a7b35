export type { L2Choice, L2Score } from './choose-l2.js';
export {
  foldStandardisation,
  headToLayersModel,
  headToTfjsModelFiles,
  loadTfjsModelFiles,
  type TfjsModelFiles,
} from './export.js';
export { fitSoftmaxRegression, type SoftmaxFit, type SoftmaxFitInput } from './fit.js';
export { trainLinearHead } from './linear-head.js';
export { HEAD_FIT_DEFAULTS, HeadFitParams, type HeadFitSettings } from './params.js';
export { type HeadPredictions, predictHead } from './predict.js';
export {
  type PseudoLabelRound,
  type SemiSupervisedOptions,
  type SemiSupervisedResult,
  trainSemiSupervisedHead,
} from './semi-supervised.js';
export { featureMoments } from './standardise.js';
export type { FitSummary, HeadTrainingOptions, HeadTrainingResult, LinearHead } from './types.js';
