import { cacheActivities } from './cache.js';
import type { ActivityDeps } from './deps.js';
import { smokeActivities } from './smoke.js';
import { stageActivityName } from './stage-input.js';
import { stageActivity } from './stage-runner.js';
import type { StageImpl } from './stage-types.js';
import { PIPELINE_STAGES } from './stages/index.js';

/** Every activity a worker registers: fixed ones plus one `stage.<name>` activity per stage. */
export function createActivities(deps: ActivityDeps, stages: readonly StageImpl[] = PIPELINE_STAGES) {
  const perStage = Object.fromEntries(
    stages.map((s) => [stageActivityName(s.def.name), stageActivity(deps, s)]),
  );
  return {
    ...smokeActivities(deps),
    ...cacheActivities(deps),
    ...perStage,
  };
}

export type FixedActivities = ReturnType<typeof smokeActivities> & ReturnType<typeof cacheActivities>;
