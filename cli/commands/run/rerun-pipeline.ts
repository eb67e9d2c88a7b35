import type { Client, WorkflowHandle } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { parseOrThrow, UsageError } from '../../../config/errors.js';
import type { Settings } from '../../../config/settings.js';
import { pipelineRun } from '../../../workflows/pipeline-run.js';
import { PipelineRunInputSchema } from '../../../workflows/run-input.js';
import { runWorkflowId, startPipelineRun } from '../../runs.js';
import { checkStagesInPlan } from './stage-names.js';

/** The input a `pipelineRun` was started with, read back from the first event of its history. */
export async function originalRunInput(client: Client, workflowId: string) {
  let history: Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
  try {
    history = await client.workflow.getHandle(workflowId).fetchHistory();
  } catch (err) {
    throw new UsageError(`workflow "${workflowId}": cannot read its history (${(err as Error).message})`);
  }
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (started?.workflowType?.name !== pipelineRun.name)
    throw new UsageError(
      `workflow "${workflowId}" is a ${started?.workflowType?.name ?? 'unknown'} workflow, not a ${pipelineRun.name}`,
    );
  const payload = started.input?.payloads?.[0];
  if (!payload) throw new UsageError(`workflow "${workflowId}" was started without an input`);
  const raw: unknown = defaultPayloadConverter.fromPayload(payload);
  return parseOrThrow(PipelineRunInputSchema, raw, `input of workflow ${workflowId}`);
}

export interface RerunOptions {
  stages: string[];
  force?: boolean;
}

/**
 * Starts a new run of the same plan that recomputes the named stages and everything downstream of them;
 * the rest comes from the cache. It runs on this CLI's task queues (where its workers are).
 */
export async function rerunPipeline(
  client: Client,
  settings: Settings,
  workflowId: string,
  opts: RerunOptions,
): Promise<Awaited<ReturnType<typeof startPipelineRun>>> {
  const input = await originalRunInput(client, workflowId);
  checkStagesInPlan(input.plan, opts.stages);
  return await startPipelineRun(client, settings, input.plan, {
    force: opts.force ?? false,
    recomputeStages: opts.stages,
    scheduled: input.scheduled,
    maxParallelGroups: input.options.maxParallelGroups,
    workflowId: `${runWorkflowId(input.plan)}-rerun`,
  });
}
