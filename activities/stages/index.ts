import { PAPER_STAGES } from '../../pipelines/stages.js';
import { registeredStages } from '../stage-registry.js';
import { backbone } from './backbone.js';
import { crop } from './crop.js';
import { evaluate } from './evaluate.js';
import { features } from './features.js';
import { head } from './head.js';
import { ingest } from './ingest.js';
import { pretrain } from './pretrain.js';
import { report } from './report.js';
import { sample } from './sample.js';
import { snapshot } from './snapshot.js';

/**
 * The paper pipeline's stage implementations, registered by every worker, one per declaration of
 * PAPER_STAGES and in its order; a declared stage without an implementation fails here, at start-up.
 */
export const PIPELINE_STAGES = registeredStages(PAPER_STAGES, [
  snapshot,
  ingest,
  crop,
  backbone,
  pretrain,
  features,
  sample,
  head,
  evaluate,
  report,
]);
