import type { ActivityDeps } from './deps.js';
import { smokeActivities } from './smoke.js';

/** Every activity the workers register; workflows import only this type. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...smokeActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
