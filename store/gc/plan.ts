import type { UnitId } from './refs.js';
import type { Unit } from './units.js';

export interface SweepPlan {
  remove: Unit[];
  bytes: number;
  kept: { reachable: number; young: number; unpublishedCheckpoints: number };
}

/**
 * What goes: artefacts nobody reaches, and checkpoints of a stage run whose artefact is published (resume
 * needs them no more), never a unit with an object younger than `graceMs` (a run may be writing it).
 * Checkpoints of an unpublished stage run (one in flight, or failed and to be resumed) stay.
 */
export function planSweep(
  artefacts: ReadonlyMap<UnitId, Unit>,
  checkpoints: ReadonlyMap<UnitId, Unit>,
  marked: ReadonlySet<UnitId>,
  now: Date,
  graceMs: number,
): SweepPlan {
  const young = (u: Unit) => now.getTime() - u.newest.getTime() < graceMs;
  const kept = { reachable: 0, young: 0, unpublishedCheckpoints: 0 };
  const remove: Unit[] = [];
  for (const u of artefacts.values()) {
    if (marked.has(u.id)) kept.reachable++;
    else if (young(u)) kept.young++;
    else remove.push(u);
  }
  for (const u of checkpoints.values()) {
    const published = artefacts.get(u.id)?.objects.some((o) => o.name.endsWith('/manifest.json')) ?? false;
    if (!published) kept.unpublishedCheckpoints++;
    else if (young(u)) kept.young++;
    else remove.push(u);
  }
  return { remove, bytes: remove.reduce((s, u) => s + u.bytes, 0), kept };
}
