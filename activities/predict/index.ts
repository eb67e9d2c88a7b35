import { PREDICT_STAGES } from '../../pipelines/predict.js';
import { implementationsIn } from '../stage-registry.js';

/**
 * The predict workflow's stages (pipelines/predict.ts), found in this folder like the paper's in stages/: a
 * declaration without an implementation, or the reverse, fails when a worker starts.
 */
export const PREDICT_STAGE_IMPLS = await implementationsIn(PREDICT_STAGES, new URL('./', import.meta.url), [
  'index.js',
]);
