import { cacheActivities } from './cache.js';
import type { ActivityDeps } from './deps.js';
import { gcActivities } from './gc.js';
import { notifyActivities } from './notify/index.js';
import { PREDICT_STAGE_IMPLS } from './predict/index.js';
import { smokeActivities } from './smoke.js';
import { stageCodeIdentities } from './stage-code.js';
import { stageActivityName } from './stage-input.js';
import { stageActivity } from './stage-runner.js';
import type { StageImpl } from './stage-types.js';
import { PIPELINE_STAGES } from './stages/index.js';
import { swavInitActivities } from './swav-init.js';

/**
 * Every activity a worker registers: fixed ones plus one `stage.<name>` activity per stage. Each stage's code
 * identity is read from the emitted files here, at worker start, so a broken build fails before any task.
 */
export async function createActivities(
  deps: ActivityDeps,
  stages: readonly StageImpl[] = [...PIPELINE_STAGES, ...PREDICT_STAGE_IMPLS],
) {
  const codes = await stageCodeIdentities(stages);
  const perStage = Object.fromEntries(
    stages.map((s) => [stageActivityName(s.def.name), stageActivity(deps, s, codes)]),
  );
  return {
    ...smokeActivities(deps),
    ...cacheActivities(deps, codes),
    ...notifyActivities(deps),
    ...gcActivities(deps),
    ...swavInitActivities(deps),
    ...perStage,
  };
}

export type FixedActivities = ReturnType<typeof smokeActivities> &
  ReturnType<typeof cacheActivities> &
  ReturnType<typeof notifyActivities> &
  ReturnType<typeof gcActivities> &
  ReturnType<typeof swavInitActivities>;
