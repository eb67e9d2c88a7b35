import { ApplicationFailure, executeChild, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { FixedActivities } from '../activities/index.js';
import { type StageRunInput, type StageRunResult, stageActivityName } from '../activities/stage-input.js';
import type { DagNode } from '../pipelines/dag.js';
import type { ArtefactRef } from '../store/artefact-schema.js';
import type { GroupRunInput } from './run-input.js';
import type { NodeState, RunState } from './run-state.js';
import type { Semaphore } from './semaphore.js';

const { lookupCache, resolveCachedNodes } = proxyActivities<FixedActivities>({
  startToCloseTimeout: '2 minutes',
  retry: { maximumAttempts: 10, initialInterval: '1 second', maximumInterval: '30 seconds' },
});

export interface ExecContext {
  state: RunState;
  external: Record<string, ArtefactRef>;
  forced: ReadonlySet<string>;
  taskQueues: { cpu: string; gpu: string };
  /** When set, nodes with a group run in child workflows limited by this semaphore. */
  groups?: Semaphore;
}

function stateOf(ctx: ExecContext, id: string): NodeState {
  const s = ctx.state.nodes.find((n) => n.id === id);
  if (!s) throw new Error(`no state for node ${id}`);
  return s;
}

function errorText(err: unknown): string {
  if (err instanceof ApplicationFailure || err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}

async function runStage(
  ctx: ExecContext,
  node: DagNode,
  inputs: Record<string, ArtefactRef>,
): Promise<ArtefactRef> {
  const state = stateOf(ctx, node.id);
  state.status = 'checking';
  const lookup = await lookupCache({ node, inputs, force: ctx.forced.has(node.id) });
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
  const result = await activity({
    node,
    cacheKey: lookup.cacheKey,
    inputs,
    recompute: ctx.forced.has(node.id),
  });
  Object.assign(state, {
    status: 'done',
    ref: result.ref,
    attempts: result.attempt,
    durationMs: Date.now() - (state.startedAt ?? Date.now()),
  });
  return result.ref;
}

/**
 * Runs nodes as soon as their inputs exist, so independent branches run in parallel. A failed node
 * marks its dependants skipped; independent branches still finish (and are cached for the re-run).
 */
export async function executeNodes(
  ctx: ExecContext,
  nodes: readonly DagNode[],
): Promise<Record<string, ArtefactRef>> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const known = await resolveFromCache(ctx, nodes);
  const started = new Map<string, Promise<ArtefactRef>>();
  const groupRuns = new Map<string, Promise<Record<string, ArtefactRef>>>();

  const refOf = (id: string): Promise<ArtefactRef> => {
    const ext = known[id];
    if (ext) return Promise.resolve(ext);
    let p = started.get(id);
    if (!p) {
      p = start(id);
      started.set(id, p);
    }
    return p;
  };

  const inputsOf = async (node: DagNode): Promise<Record<string, ArtefactRef>> => {
    const entries = Object.entries(node.inputs);
    const refs = await Promise.all(entries.map(([, dep]) => refOf(dep)));
    return Object.fromEntries(entries.map(([name], i) => [name, refs[i] as ArtefactRef]));
  };

  const start = async (id: string): Promise<ArtefactRef> => {
    const node = byId.get(id);
    if (!node) throw new Error(`unknown node ${id}`);
    const state = stateOf(ctx, id);
    let inputs: Record<string, ArtefactRef>;
    try {
      inputs = await inputsOf(node);
    } catch (err) {
      Object.assign(state, { status: 'skipped', error: `upstream failed: ${errorText(err)}` });
      throw err;
    }
    try {
      if (ctx.groups && node.group !== undefined) {
        const refs = await runGroup(node.group);
        const ref = refs[id];
        if (!ref) throw new Error(`group ${node.group} returned no artefact for ${id}`);
        return ref;
      }
      return await runStage(ctx, node, inputs);
    } catch (err) {
      if (state.status !== 'skipped') Object.assign(state, { status: 'failed', error: errorText(err) });
      throw err;
    }
  };

  const runGroup = (group: string): Promise<Record<string, ArtefactRef>> => {
    let p = groupRuns.get(group);
    if (!p) {
      p = startGroup(group);
      groupRuns.set(group, p);
    }
    return p;
  };

  const startGroup = async (group: string): Promise<Record<string, ArtefactRef>> => {
    const members = nodes.filter((n) => n.group === group);
    const memberIds = new Set(members.map((n) => n.id));
    const externalIds = [...new Set(members.flatMap((n) => Object.values(n.inputs)))].filter(
      (d) => !memberIds.has(d),
    );
    const externalRefs = await Promise.all(externalIds.map((d) => refOf(d)));
    const external = Object.fromEntries(externalIds.map((d, i) => [d, externalRefs[i] as ArtefactRef]));
    const childId = `${workflowInfo().workflowId}/${group}`;
    for (const m of members) Object.assign(stateOf(ctx, m.id), { status: 'running', child: childId });
    const sem = ctx.groups as Semaphore;
    await sem.acquire();
    try {
      const input: GroupRunInput = {
        pipeline: ctx.state.pipeline,
        group,
        nodes: members,
        external,
        forced: members.filter((m) => ctx.forced.has(m.id)).map((m) => m.id),
        taskQueues: ctx.taskQueues,
      };
      const result = await executeChild('dagGroupRun', { workflowId: childId, args: [input] });
      const childStates = result.nodes as NodeState[];
      for (const cs of childStates) Object.assign(stateOf(ctx, cs.id), cs, { child: childId });
      return result.refs as Record<string, ArtefactRef>;
    } catch (err) {
      for (const m of members) {
        const s = stateOf(ctx, m.id);
        if (s.status === 'running') Object.assign(s, { status: 'failed', error: errorText(err) });
      }
      throw err;
    } finally {
      sem.release();
    }
  };

  const settled = await Promise.allSettled(nodes.map((n) => refOf(n.id)));
  const failed = nodes.filter((_, i) => settled[i]?.status === 'rejected');
  if (failed.length > 0) {
    const roots = failed.map((n) => stateOf(ctx, n.id)).filter((s) => s.status === 'failed');
    const summary = roots.map((s) => `${s.id}: ${s.error ?? 'failed'}`).join('; ');
    throw ApplicationFailure.nonRetryable(`${roots.length} stage(s) failed: ${summary}`, 'PipelineFailed');
  }
  return Object.fromEntries(
    nodes.map((n, i) => [n.id, (settled[i] as PromiseFulfilledResult<ArtefactRef>).value]),
  );
}

/**
 * Runs the volatile roots (e.g. the dataset snapshot) first, then asks the store in ONE activity which
 * nodes are already published downstream of them; those never cost a lookup or a child workflow.
 */
async function resolveFromCache(
  ctx: ExecContext,
  nodes: readonly DagNode[],
): Promise<Record<string, ArtefactRef>> {
  const known: Record<string, ArtefactRef> = { ...ctx.external };
  const roots = nodes.filter((n) => ctx.forced.has(n.id) && Object.keys(n.inputs).length === 0);
  if (roots.length === nodes.length) return known;
  const rootRefs = await Promise.allSettled(roots.map((n) => runStage(ctx, n, {})));
  rootRefs.forEach((r, i) => {
    if (r.status === 'fulfilled') known[roots[i]!.id] = r.value;
    else Object.assign(stateOf(ctx, roots[i]!.id), { status: 'failed', error: errorText(r.reason) });
  });
  const hits = await resolveCachedNodes({ nodes: [...nodes], external: known, forced: [...ctx.forced] });
  for (const [id, hit] of Object.entries(hits)) {
    known[id] = hit.ref;
    Object.assign(stateOf(ctx, id), { status: 'cached', cacheHit: true, ref: hit.ref, durationMs: 0 });
  }
  const failedRoots = roots.filter((_, i) => rootRefs[i]?.status === 'rejected');
  if (failedRoots.length > 0) {
    const summary = failedRoots.map((n) => `${n.id}: ${stateOf(ctx, n.id).error ?? 'failed'}`).join('; ');
    throw ApplicationFailure.nonRetryable(
      `${failedRoots.length} stage(s) failed: ${summary}`,
      'PipelineFailed',
    );
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
