import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { FixedActivities } from '../activities/index.js';
import {
  type StageRunInput,
  type StageRunResult,
  stageActivityName,
  type UpstreamFailures,
} from '../activities/stage-input.js';
import { type DagNode, withDescendants } from '../pipelines/dag.js';
import type { ArtefactRef } from '../store/artefact-schema.js';
import { upstreamCacheHits, upstreamNodeRefs } from './cache-hits.js';
import type { GroupRunInput } from './run-input.js';
import { type GroupRunResult, GroupRunResultSchema, partialResultOf } from './run-result.js';
import type { NodeState, RunState } from './run-state.js';
import type { Semaphore } from './semaphore.js';
import { settleEach } from './settle.js';
import { blockedNodes, failedNodesOf, NotProduced, uniqueIds } from './upstream.js';

const { lookupCache, resolveCachedNodes } = proxyActivities<FixedActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 10, initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** How the parent runs sweep points: at most `slots` at once, each as a child workflow `run` starts. */
export interface SweepPoints {
  slots: Semaphore;
  run(workflowId: string, input: GroupRunInput): Promise<GroupRunResult>;
}

export interface ExecContext {
  state: RunState;
  external: Record<string, ArtefactRef>;
  /** Inputs from outside `nodes` that failed (a sweep point's view of its parent): id -> failed node(s). */
  failedExternal?: Readonly<Record<string, readonly string[]>>;
  forced: ReadonlySet<string>;
  taskQueues: { cpu: string; gpu: string };
  /** When set, nodes with a group run in child workflows (the parent's view; a sweep point runs its own). */
  groups?: SweepPoints;
}

type MissingInputs = UpstreamFailures['missing'];

/** What the workflow tells a stage beyond its inputs: failed optional inputs, a volatile node's cache hits. */
type StageNotes = Pick<StageRunInput, 'upstreamFailures' | 'upstreamCacheHits' | 'upstreamNodes'>;

function stateOf(ctx: ExecContext, id: string): NodeState {
  const s = ctx.state.nodes.find((n) => n.id === id);
  if (!s) throw new Error(`no state for node ${id}`);
  return s;
}

function errorText(err: unknown): string {
  if (err instanceof Error)
    return err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message;
  return String(err);
}

/** A skipped node names the failed node(s) it depends on; the error itself stays on the failed node. */
function markSkipped(state: NodeState, failedNodes: readonly string[]): void {
  Object.assign(state, { status: 'skipped', upstream: [...failedNodes] });
}

/** What a node running without some optional inputs is told: each failed node once, and the gaps. */
function upstreamFailuresFor(ctx: ExecContext, missing: MissingInputs): UpstreamFailures | undefined {
  if (missing.length === 0) return undefined;
  const failed = uniqueIds(missing.flatMap((m) => m.upstream)).flatMap((id) => {
    const s = ctx.state.nodes.find((n) => n.id === id);
    // A sweep point does not hold its parent's nodes' states; `missing` still names them.
    return s ? [{ node: id, stage: s.stage, error: s.error ?? 'failed' }] : [];
  });
  return { failed, missing };
}

async function runStage(
  ctx: ExecContext,
  node: DagNode,
  inputs: Record<string, ArtefactRef>,
  notes: StageNotes = {},
): Promise<ArtefactRef> {
  const state = stateOf(ctx, node.id);
  // A result made without some inputs is never reused: the next run may have them.
  const force = ctx.forced.has(node.id) || notes.upstreamFailures !== undefined;
  state.status = 'checking';
  const lookup = await lookupCache({ node, inputs, force });
  if (lookup.status === 'hit') {
    Object.assign(state, { status: 'cached', cacheHit: true, ref: lookup.ref, durationMs: 0 });
    return lookup.ref;
  }
  Object.assign(state, {
    status: 'running',
    cacheHit: false,
    missReason: lookup.reason,
    startedAt: Date.now(),
  });
  const acts = proxyActivities<Record<string, (i: StageRunInput) => Promise<StageRunResult>>>({
    taskQueue: ctx.taskQueues[node.queue],
    startToCloseTimeout: node.startToCloseTimeout,
    ...(node.heartbeatTimeout ? { heartbeatTimeout: node.heartbeatTimeout } : {}),
    retry: { ...node.retry, nonRetryableErrorTypes: ['StageFailure'] },
  });
  const activity = acts[stageActivityName(node.stage)];
  if (!activity) throw new Error(`no activity for stage ${node.stage}`);
  const result = await activity({ node, cacheKey: lookup.cacheKey, inputs, recompute: force, ...notes });
  Object.assign(state, {
    status: 'done',
    ref: result.ref,
    attempts: result.attempt,
    durationMs: Date.now() - (state.startedAt ?? Date.now()),
  });
  return result.ref;
}

/** Takes a sweep point's node states (finished, failed or skipped) into the parent's run state. */
function adoptGroupResult(
  ctx: ExecContext,
  childId: string,
  result: GroupRunResult,
): Record<string, ArtefactRef> {
  for (const cs of result.nodes) Object.assign(stateOf(ctx, cs.id), cs, { child: childId });
  return result.refs;
}

/**
 * Runs nodes as soon as their inputs exist, so independent branches run in parallel. A failed node marks
 * only its dependants skipped (naming it, not copying its error); everything else still runs and is cached
 * for the re-run, and a node with `optionalInputs` runs with what exists. Returns the artefacts produced;
 * the run state says which nodes failed or were skipped.
 */
export async function executeNodes(
  ctx: ExecContext,
  nodes: readonly DagNode[],
): Promise<Record<string, ArtefactRef>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const unavailable: Record<string, readonly string[]> = { ...ctx.failedExternal };
  const known = await resolveFromCache(ctx, nodes, unavailable);
  const started = new Map<string, Promise<ArtefactRef>>();
  const groupRuns = new Map<string, Promise<Record<string, ArtefactRef>>>();

  const refOf = (id: string): Promise<ArtefactRef> => {
    const ext = known[id];
    if (ext) return Promise.resolve(ext);
    const failed = unavailable[id];
    if (failed) return Promise.reject(new NotProduced(failed));
    let p = started.get(id);
    if (!p) {
      p = start(id);
      started.set(id, p);
    }
    return p;
  };

  /** Waits for every input; a missing required one rejects (NotProduced), missing optional ones are listed. */
  const inputsOf = async (node: DagNode) => {
    const settled = await settleEach(Object.entries(node.inputs), ([, dep]) => refOf(dep));
    const inputs: Record<string, ArtefactRef> = {};
    const missing: MissingInputs = [];
    for (const r of settled) {
      const [input, dep] = r.item;
      if (r.ok) inputs[input] = r.value;
      else missing.push({ input, node: dep, upstream: failedNodesOf(r.reason, dep) });
    }
    const optional = new Set(node.optionalInputs ?? []);
    const blocking = missing.filter((m) => !optional.has(m.input));
    if (blocking.length > 0) throw new NotProduced(uniqueIds(blocking.flatMap((m) => m.upstream)));
    return { inputs, missing };
  };

  const start = async (id: string): Promise<ArtefactRef> => {
    const node = byId.get(id);
    if (!node) throw new Error(`unknown node ${id}`);
    if (ctx.groups && node.group !== undefined) return await memberRef(node, node.group);
    const state = stateOf(ctx, id);
    let ready: Awaited<ReturnType<typeof inputsOf>>;
    try {
      ready = await inputsOf(node);
    } catch (err) {
      const failed = failedNodesOf(err, id);
      markSkipped(state, failed);
      throw new NotProduced(failed);
    }
    const upstreamFailures = upstreamFailuresFor(ctx, ready.missing);
    const notes: StageNotes = {
      ...(upstreamFailures ? { upstreamFailures } : {}),
      // Only a volatile node may be told: a cached artefact would name one run's hits in the next.
      ...(node.volatile
        ? {
            upstreamCacheHits: upstreamCacheHits(node, byId, ctx.state.nodes),
            upstreamNodes: upstreamNodeRefs(node, byId, ctx.state.nodes),
          }
        : {}),
    };
    try {
      return await runStage(ctx, node, ready.inputs, notes);
    } catch (err) {
      Object.assign(state, { status: 'failed', error: errorText(err) });
      throw new NotProduced([id]);
    }
  };

  /** A sweep point's member: its child workflow runs it, and its state comes back with the child's result. */
  const memberRef = async (node: DagNode, group: string): Promise<ArtefactRef> => {
    const ref = (await runGroup(group))[node.id];
    if (ref) return ref;
    const state = stateOf(ctx, node.id);
    if (state.status === 'skipped') throw new NotProduced(state.upstream ?? [node.id]);
    if (state.status !== 'failed')
      Object.assign(state, { status: 'failed', error: `sweep point ${group} returned no artefact for it` });
    throw new NotProduced([node.id]);
  };

  const runGroup = (group: string): Promise<Record<string, ArtefactRef>> => {
    let p = groupRuns.get(group);
    if (!p) {
      p = startGroup(group);
      groupRuns.set(group, p);
    }
    return p;
  };

  /**
   * Starts a sweep point once every input from outside it has settled. Members downstream of a failed input
   * are skipped (the child learns which inputs failed, so its own state says so too); the rest still run.
   */
  const startGroup = async (group: string): Promise<Record<string, ArtefactRef>> => {
    const points = ctx.groups;
    if (!points) throw new Error(`sweep point ${group}: this workflow runs no sweep points`);
    const members = nodes.filter((n) => n.group === group);
    const memberIds = new Set(members.map((n) => n.id));
    const externalIds = uniqueIds(members.flatMap((n) => Object.values(n.inputs))).filter(
      (d) => !memberIds.has(d),
    );
    const external: Record<string, ArtefactRef> = {};
    const failedExternal: Record<string, string[]> = {};
    for (const r of await settleEach(externalIds, refOf)) {
      if (r.ok) external[r.item] = r.value;
      else failedExternal[r.item] = failedNodesOf(r.reason, r.item);
    }
    const blocked = blockedNodes(members, failedExternal);
    for (const [id, failed] of blocked) markSkipped(stateOf(ctx, id), failed);
    const runnable = members.filter((m) => !blocked.has(m.id));
    if (runnable.length === 0) return {};
    const childId = `${workflowInfo().workflowId}/${group}`;
    for (const m of runnable) Object.assign(stateOf(ctx, m.id), { status: 'running', child: childId });
    await points.slots.acquire();
    try {
      const input: GroupRunInput = {
        pipeline: ctx.state.pipeline,
        group,
        nodes: members,
        external,
        failedExternal,
        forced: members.filter((m) => ctx.forced.has(m.id)).map((m) => m.id),
        taskQueues: ctx.taskQueues,
      };
      return adoptGroupResult(ctx, childId, await points.run(childId, input));
    } catch (err) {
      // A point with failed members fails, carrying its finished members' states and artefacts.
      const partial = partialResultOf(err, 'GroupFailed', GroupRunResultSchema);
      if (partial) return adoptGroupResult(ctx, childId, partial);
      for (const m of runnable) {
        const s = stateOf(ctx, m.id);
        if (s.status === 'running') Object.assign(s, { status: 'failed', error: errorText(err) });
      }
      return {};
    } finally {
      points.slots.release();
    }
  };

  const settled = await settleEach(nodes, (n) => refOf(n.id));
  return Object.fromEntries(settled.flatMap((r) => (r.ok ? [[r.item.id, r.value] as const] : [])));
}

/**
 * Runs the volatile roots (e.g. the dataset snapshot) first, then asks the store in ONE activity which
 * nodes are already published downstream of them; those never cost a lookup or a child workflow. A failed
 * root joins `unavailable`, so what depends on it is skipped and the rest still runs.
 */
async function resolveFromCache(
  ctx: ExecContext,
  nodes: readonly DagNode[],
  unavailable: Record<string, readonly string[]>,
): Promise<Record<string, ArtefactRef>> {
  const known: Record<string, ArtefactRef> = { ...ctx.external };
  const roots = nodes.filter((n) => ctx.forced.has(n.id) && Object.keys(n.inputs).length === 0);
  if (roots.length === nodes.length) return known;
  for (const r of await settleEach(roots, (n) => runStage(ctx, n, {}))) {
    if (r.ok) known[r.item.id] = r.value;
    else {
      Object.assign(stateOf(ctx, r.item.id), { status: 'failed', error: errorText(r.reason) });
      unavailable[r.item.id] = [r.item.id];
    }
  }
  // What depends on an unavailable node cannot be looked up (its input is missing): the executor skips it.
  const blocked = withDescendants(nodes, new Set(Object.keys(unavailable)));
  const hits = await resolveCachedNodes({
    nodes: nodes.filter((n) => !blocked.has(n.id)),
    external: known,
    forced: [...ctx.forced],
  });
  for (const [id, hit] of Object.entries(hits)) {
    known[id] = hit.ref;
    Object.assign(stateOf(ctx, id), { status: 'cached', cacheHit: true, ref: hit.ref, durationMs: 0 });
  }
  return known;
}

export function initialStates(nodes: readonly DagNode[]): NodeState[] {
  return nodes.map((n) => ({
    id: n.id,
    stage: n.stage,
    status: 'pending',
    ...(n.group ? { group: n.group } : {}),
  }));
}
