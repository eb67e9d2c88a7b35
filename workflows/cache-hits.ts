import type { UpstreamCacheHits } from '../activities/stage-input.js';
import type { DagNode } from '../pipelines/dag.js';
import type { NodeState } from './run-state.js';

/** Every node `node` reads from, directly or further up, among `byId` (a sweep point holds only its own). */
function upstreamIds(node: DagNode, byId: ReadonlyMap<string, DagNode>): string[] {
  const seen = new Set<string>();
  const queue = Object.values(node.inputs);
  for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
    const upstream = byId.get(id);
    if (seen.has(id) || !upstream) continue;
    seen.add(id);
    queue.push(...Object.values(upstream.inputs));
  }
  return [...seen].sort();
}

/** Every node upstream of `node` that has an artefact in this run (cached or computed), with its ref. */
export function upstreamNodeRefs(
  node: DagNode,
  byId: ReadonlyMap<string, DagNode>,
  states: readonly NodeState[],
): UpstreamCacheHits {
  const stateOf = new Map(states.map((s) => [s.id, s]));
  return upstreamIds(node, byId).flatMap((id) => {
    const ref = stateOf.get(id)?.ref;
    return ref ? [{ node: id, stage: ref.stage, key: ref.key }] : [];
  });
}

/**
 * The artefacts upstream of `node` that this run took from the cache, from the run state (a sweep point's
 * nodes are in it once the point has ended, which it has when the node's inputs exist). Told to the stage
 * because only the workflow knows: a report's Lineage sheet says "cache hit" from this, not from a query.
 */
export function upstreamCacheHits(
  node: DagNode,
  byId: ReadonlyMap<string, DagNode>,
  states: readonly NodeState[],
): UpstreamCacheHits {
  const stateOf = new Map(states.map((s) => [s.id, s]));
  return upstreamIds(node, byId).flatMap((id) => {
    const s = stateOf.get(id);
    return s?.cacheHit && s.ref ? [{ node: id, stage: s.ref.stage, key: s.ref.key }] : [];
  });
}
