export { kCenterGreedy } from './k-center.js';
export {
  type Selection,
  type SelectionInput,
  type SelectionStrategy,
  STRATEGIES,
  selectForLabelling,
} from './select.js';
export { type UncertaintyMeasure, uncertaintyScores } from './uncertainty.js';
