export { iou, type Rect } from './iou.js';
export { checkLabelFit, classCounts, type LabelFitOptions, LabelsDoNotFitError } from './label-fit.js';
export {
  type BoxLabel,
  LABEL_REASONS,
  type LabelReason,
  type MatchLabelsOptions,
  type MatchLabelsResult,
  matchLabels,
  matchLabelsOptionsSchema,
} from './match-labels.js';
export {
  LABEL_CSV_REASONS,
  type LabelCsv,
  type LabelRow,
  parseLabelCsv,
  readLabelCsv,
} from './read-label-csv.js';
