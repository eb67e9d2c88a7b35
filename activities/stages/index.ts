import { PAPER_STAGES } from '../../pipelines/stages.js';
import { implementationsIn } from '../stage-registry.js';

/**
 * The paper pipeline's stage implementations, registered by every worker: one per declaration of
 * PAPER_STAGES, in its order, found in this folder. A declared stage without an implementation, or an
 * implementation without a declaration, fails here, when a worker starts.
 */
export const PIPELINE_STAGES = await implementationsIn(PAPER_STAGES, new URL('./', import.meta.url), [
  'index.js',
]);
