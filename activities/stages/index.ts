import { PAPER_STAGES } from '../../pipelines/stages.js';
import { lazyStagesIn } from '../stage-registry.js';

/**
 * The paper pipeline's stage implementations, registered by every worker: one per declaration of
 * PAPER_STAGES, in its order, each `<name>.js` of this folder, imported on its first task. A declared stage
 * without a file fails here, when a worker starts; test/dag/stage-registry.test.ts pairs every export.
 */
export const PIPELINE_STAGES = lazyStagesIn(PAPER_STAGES, new URL('./', import.meta.url));
