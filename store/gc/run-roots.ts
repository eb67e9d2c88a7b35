import { ApplicationFailure, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { pipelineRun } from '../../workflows/pipeline-run.js';
import { predictRun } from '../../workflows/predict-run.js';
import { runStateQuery } from '../../workflows/run-state.js';
import { refsIn, type UnitId } from './refs.js';

export interface KeepRules {
  /** The newest N runs of each pipeline (schedule runs are of their pipeline) are kept. */
  keepRuns: number;
  /** Runs started within the last W weeks are kept too. */
  keepWeeks: number;
  pinned: readonly string[];
  now: Date;
}

export interface KeptRun {
  workflowId: string;
  pipeline: string;
  why: 'running' | 'pinned' | 'newest' | 'recent';
}

export interface RunRoots {
  roots: Set<UnitId>;
  kept: KeptRun[];
  /** Running runs whose state could not be read: what they need is unknown, so nothing may be swept. */
  unreadable: string[];
}

const WEEK_MS = 7 * 86_400_000;

function pipelineOf(info: WorkflowExecutionInfo): string {
  const p = info.memo?.pipeline;
  return typeof p === 'string' ? p : info.type;
}

/** Why a run is kept, or undefined; `rank` is its place among its pipeline's runs, newest first. */
function keepReason(info: WorkflowExecutionInfo, rank: number, rules: KeepRules): KeptRun['why'] | undefined {
  if (info.status.name === 'RUNNING') return 'running';
  if (rules.pinned.includes(info.workflowId)) return 'pinned';
  if (rank < rules.keepRuns) return 'newest';
  if (rules.now.getTime() - info.startTime.getTime() < rules.keepWeeks * WEEK_MS) return 'recent';
  return undefined;
}

/** The artefacts a finished run produced or took from the cache: its result, or the partial one its failure carries. */
async function finishedRunRefs(client: Client, workflowId: string, into: Set<UnitId>): Promise<void> {
  try {
    refsIn(await client.workflow.getHandle(workflowId).result(), into);
  } catch (err) {
    for (let e: unknown = err; e instanceof Error; e = e.cause)
      if (e instanceof ApplicationFailure) refsIn(e.details, into);
  }
}

/**
 * The gc roots Temporal knows: every artefact of each kept run. A running run is always kept, by its live
 * state (the artefacts it produced or already took from the cache); the grace period covers what it is writing.
 */
export async function runRoots(client: Client, rules: KeepRules): Promise<RunRoots> {
  const runs: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({
    query: `WorkflowType = '${pipelineRun.name}' OR WorkflowType = '${predictRun.name}'`,
  }))
    runs.push(info);
  runs.sort((a, b) => b.startTime.getTime() - a.startTime.getTime());
  const seen = new Map<string, number>();
  const out: RunRoots = { roots: new Set(), kept: [], unreadable: [] };
  for (const info of runs) {
    const pipeline = pipelineOf(info);
    const rank = seen.get(pipeline) ?? 0;
    seen.set(pipeline, rank + 1);
    const why = keepReason(info, rank, rules);
    if (why === undefined) continue;
    out.kept.push({ workflowId: info.workflowId, pipeline, why });
    if (why !== 'running') await finishedRunRefs(client, info.workflowId, out.roots);
    else {
      const state = await client.workflow
        .getHandle(info.workflowId)
        .query(runStateQuery)
        .catch(() => undefined);
      if (state === undefined) out.unreadable.push(info.workflowId);
      else refsIn(state, out.roots);
    }
  }
  return out;
}
