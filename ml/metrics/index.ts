export {
  accuracy,
  type ClassificationReport,
  type ClassScores,
  classificationReport,
  confusionMatrix,
} from './classification.js';
export { type KnnInput, type KnnResult, knnAccuracy } from './knn.js';
export { formatMeanStd, type MeanStd, meanStd } from './summary.js';
