import type { StageImpl } from '../stage-types.js';
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

/** The paper pipeline's stage implementations, registered by every worker. */
export const PIPELINE_STAGES: readonly StageImpl[] = [
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
];
