import { log, patched, proxyActivities } from '@temporalio/workflow';
import type { FixedActivities } from '../activities/index.js';
import type { DagNode } from '../pipelines/dag.js';
import type { ArtefactRef } from '../store/artefact-schema.js';

/** patched() id of the warm-start wiring (README "Upgrading"). */
export const SWAV_INIT_PATCH = 'swav-init-from';

const { resolveSwavInit } = proxyActivities<FixedActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 5, initialInterval: '1 second', nonRetryableErrorTypes: ['SwavInitFrom'] },
});

const initId = (node: DagNode) => `init@${node.id}`;

/**
 * Wires each pretrain node with `initFrom` to the backbone it names, resolved as the run starts (`previous`
 * is the previous run's): an input `init/backbone`, so the cache key, the manifest and the Lineage sheet
 * name the backbone it started from. Without one (a first run), the node trains from scratch.
 */
export async function wireSwavInit(
  nodes: DagNode[],
  run: { pipeline: string; runId: string },
): Promise<{ nodes: DagNode[]; external: Record<string, ArtefactRef> }> {
  const warm = nodes.filter((n) => n.stage === 'pretrain' && typeof n.params.initFrom === 'string');
  if (warm.length === 0 || !patched(SWAV_INIT_PATCH)) return { nodes, external: {} };
  const external: Record<string, ArtefactRef> = {};
  for (const n of warm) {
    const resolved = await resolveSwavInit({ initFrom: String(n.params.initFrom), nodeId: n.id, ...run });
    if (resolved.ref) external[initId(n)] = resolved.ref;
    else log.info(`${n.id}: ${resolved.note}`);
  }
  return {
    nodes: nodes.map((n) =>
      external[initId(n)] ? { ...n, inputs: { ...n.inputs, 'init/backbone': initId(n) } } : n,
    ),
    external,
  };
}
