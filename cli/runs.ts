import type { Client, WorkflowHandle } from '@temporalio/client';
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import type { Settings } from '../config/settings.js';
import type { DagPlan } from '../pipelines/dag.js';
import { canonicalJson, sha256 } from '../store/digest.js';
import type { PipelineRunResult } from '../workflows/pipeline-run.js';
import type { PipelineRunInput } from '../workflows/run-input.js';

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
}

/** Starts `pipelineRun`; the config hash goes into a search attribute and the memo so runs are findable. */
export async function startPipelineRun(
  client: Client,
  settings: Settings,
  plan: DagPlan,
  opts: StartRunOptions = {},
): Promise<WorkflowHandle<(input: PipelineRunInput) => Promise<PipelineRunResult>>> {
  const hash = configHash(plan);
  const input: PipelineRunInput = {
    plan,
    options: {
      taskQueues: settings.temporal.taskQueues,
      force: opts.force ?? false,
      recomputeStages: opts.recomputeStages ?? [],
      maxParallelGroups: opts.maxParallelGroups ?? 4,
    },
  };
  return await client.workflow.start('pipelineRun', {
    taskQueue: settings.temporal.taskQueues.cpu,
    workflowId: opts.workflowId ?? runWorkflowId(plan),
    args: [input],
    typedSearchAttributes: [{ key: CONFIG_HASH_KEY, value: hash }],
    memo: { configHash: hash, pipeline: plan.pipeline, nodes: plan.nodes.length },
  });
}
