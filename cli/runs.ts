import type { Client, WorkflowHandle } from '@temporalio/client';
import {
  defineSearchAttributeKey,
  SearchAttributeType,
  WorkflowExecutionAlreadyStartedError,
} from '@temporalio/common';
import { parseOrThrow } from '../config/errors.js';
import type { Settings } from '../config/settings.js';
import type { DagPlan } from '../pipelines/dag.js';
import { canonicalJson, sha256 } from '../store/digest.js';
import { pipelineRun } from '../workflows/pipeline-run.js';
import type { PipelineRunInput } from '../workflows/run-input.js';
import { type PipelineRunResult, PipelineRunResultSchema } from '../workflows/run-result.js';

export const CONFIG_HASH_KEY = defineSearchAttributeKey('ShelfsslConfigHash', SearchAttributeType.KEYWORD);

export function configHash(plan: DagPlan): string {
  return sha256(canonicalJson(plan)).slice(0, 16);
}

export function runWorkflowId(plan: DagPlan, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `${plan.pipeline}-${stamp}-${configHash(plan).slice(0, 8)}`;
}

export interface StartRunOptions {
  force?: boolean;
  recomputeStages?: string[];
  maxParallelGroups?: number;
  workflowId?: string;
  /** A scheduled run: report params with `isoWeek: "auto"` get the run's ISO week. */
  scheduled?: boolean;
}

/** The workflow input for a plan; shared by a direct start and a schedule's action. */
export function pipelineRunInput(
  settings: Settings,
  plan: DagPlan,
  opts: StartRunOptions = {},
): PipelineRunInput {
  return {
    plan,
    options: {
      taskQueues: settings.temporal.taskQueues,
      force: opts.force ?? false,
      recomputeStages: opts.recomputeStages ?? [],
      maxParallelGroups: opts.maxParallelGroups ?? 4,
    },
    scheduled: opts.scheduled ?? false,
  };
}

/** Memo shown by `shelfssl status`: what the run is without decoding its input. */
export function runMemo(plan: DagPlan): Record<string, unknown> {
  return { configHash: configHash(plan), pipeline: plan.pipeline, nodes: plan.nodes.length };
}

export { temporalUiUrl } from '../config/temporal-ui.js';

/**
 * Starts `pipelineRun`; the config hash goes into a search attribute and the memo so runs are findable. A
 * workflow id names one run only (reuse rejected): two runs of one plan started in the same second get `-2`,
 * `-3`, … instead of the second silently taking the first's id, so `status`/`report <id>` never mean another run.
 */
export async function startPipelineRun(
  client: Client,
  settings: Settings,
  plan: DagPlan,
  opts: StartRunOptions = {},
): Promise<WorkflowHandle<typeof pipelineRun>> {
  const base = opts.workflowId ?? runWorkflowId(plan);
  for (let n = 1; ; n++) {
    try {
      return await client.workflow.start(pipelineRun, {
        taskQueue: settings.temporal.taskQueues.cpu,
        workflowId: n === 1 ? base : `${base}-${n}`,
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        args: [pipelineRunInput(settings, plan, opts)],
        typedSearchAttributes: [{ key: CONFIG_HASH_KEY, value: configHash(plan) }],
        memo: runMemo(plan),
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError) || n >= MAX_ID_SUFFIX) throw err;
    }
  }
}

const MAX_ID_SUFFIX = 100;

/**
 * A finished run's result, parsed: a workflow id from the command line may name any workflow, so the handle's
 * type promises nothing. Fails (exit 2) naming the workflow when it is not a pipeline run's result.
 */
export function parsePipelineRunResult(raw: unknown, workflowId: string): PipelineRunResult {
  return parseOrThrow(PipelineRunResultSchema, raw, `the result of workflow ${workflowId} (a pipelineRun?)`);
}
