import type { Client } from '@temporalio/client';
import { type NodeState, type RunState, runStateQuery } from '../../workflows/run-state.js';

/**
 * What the CLI shows of a run: the parent's run state with each sweep point's nodes replaced by the live
 * state its child workflow reports (the parent only learns a child's node states when the child ends).
 */
export type RunView = RunState & { workflowId: string };

/** Children worth asking: those with a node still in flight, as the parent already holds finished ones. */
function liveChildren(state: RunState): string[] {
  const ids = state.nodes.flatMap((n) =>
    n.child !== undefined && (n.status === 'running' || n.status === 'checking') ? [n.child] : [],
  );
  return [...new Set(ids)];
}

async function queryChild(client: Client, childId: string): Promise<NodeState[]> {
  try {
    const child = await client.workflow.getHandle(childId).query(runStateQuery);
    return child.nodes.map((n) => ({ ...n, child: childId }));
  } catch {
    // A point waiting for a free slot has no child workflow yet: keep the parent's view of it.
    return [];
  }
}

/** Queries a run (open or closed: queries work while its history exists) and merges its live children. */
export async function collectRunView(client: Client, workflowId: string): Promise<RunView> {
  const state = await client.workflow.getHandle(workflowId).query(runStateQuery);
  const childNodes = (await Promise.all(liveChildren(state).map((c) => queryChild(client, c)))).flat();
  const fromChild = new Map(childNodes.map((n) => [n.id, n]));
  return { ...state, workflowId, nodes: state.nodes.map((n) => fromChild.get(n.id) ?? n) };
}
