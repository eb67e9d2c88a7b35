import { PREDICT_STAGES } from '../../pipelines/predict.js';
import { lazyStagesIn } from '../stage-registry.js';

/**
 * The predict workflow's stages (pipelines/predict.ts), found in this folder like the paper's in stages/ and
 * imported on first use the same way.
 */
export const PREDICT_STAGE_IMPLS = lazyStagesIn(PREDICT_STAGES, new URL('./', import.meta.url));
