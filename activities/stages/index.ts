import type { StageImpl } from '../stage-types.js';

/** The paper pipeline's stage implementations, registered by every worker. */
export const PIPELINE_STAGES: readonly StageImpl[] = [];
