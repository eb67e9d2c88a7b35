import { type DagNode, requiredInputIds } from '../pipelines/dag.js';

/**
 * Why a node has no artefact: the failed node(s) it comes from (itself, when its own stage failed). It travels
 * along the executor's promise chain so a dependant names the failed node instead of copying its message.
 */
export class NotProduced extends Error {
  override name = 'NotProduced';
  constructor(readonly failedNodes: readonly string[]) {
    super(upstreamText(failedNodes));
  }
}

/** `upstream: backbone@swav`: what a skipped node says instead of its upstream's error. */
export function upstreamText(failedNodes: readonly string[]): string {
  return `upstream: ${failedNodes.join(', ')}`;
}

export function uniqueIds(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

/** The failed node(s) behind a rejection; `fallback` (the input's own id) for anything but a NotProduced. */
export function failedNodesOf(reason: unknown, fallback: string): string[] {
  return reason instanceof NotProduced ? [...reason.failedNodes] : [fallback];
}

/**
 * The nodes that cannot run because a required input is unavailable, directly or through another of
 * `nodes`, each with the failed node(s) behind it. Pure, so parent and child decide alike.
 */
export function blockedNodes(
  nodes: readonly DagNode[],
  unavailable: Readonly<Record<string, readonly string[]>>,
): Map<string, string[]> {
  const failedBehind = new Map<string, readonly string[]>(Object.entries(unavailable));
  const blocked = new Map<string, string[]>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (failedBehind.has(n.id)) continue;
      const behind = requiredInputIds(n).flatMap((d) => failedBehind.get(d) ?? []);
      if (behind.length === 0) continue;
      const ids = uniqueIds(behind);
      failedBehind.set(n.id, ids);
      blocked.set(n.id, ids);
      grew = true;
    }
  }
  return blocked;
}
