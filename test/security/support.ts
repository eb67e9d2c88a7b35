import assert from 'node:assert/strict';
import type { Client } from '@temporalio/client';
import { startPipelineRun } from '../../cli/runs.js';
import type { Settings } from '../../config/settings.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { PipelineRunResultSchema, partialResultOf } from '../../workflows/run-result.js';
import { uniqueRunId, withTimeout } from '../faults/fault-mode.js';

/** Runs a plan that must fail; returns every node error and the failure text, for the test to inspect. */
export async function runMustFail(
  w: { client: Client; settings: Settings },
  plan: DagPlan,
  label: string,
): Promise<string> {
  const handle = await startPipelineRun(w.client, w.settings, plan, { workflowId: uniqueRunId(label) });
  const err = await withTimeout(`${label} run`, 120_000, handle.result()).then(
    () => assert.fail(`${label}: the run must fail`),
    (e: unknown) => e,
  );
  const result = partialResultOf(err, 'PipelineFailed', PipelineRunResultSchema);
  const errors = result?.nodes.map((n) => n.error ?? '').join('\n') ?? '';
  return `${errors}\n${String((err as Error).cause ?? err)}`;
}

/** Keeps only the named nodes of a plan and applies `edit` to each node's params. */
export function editPlan(
  plan: DagPlan,
  keep: readonly string[],
  edit: (stage: string, params: Record<string, unknown>) => Record<string, unknown> = (_s, p) => p,
): DagPlan {
  const nodes = plan.nodes
    .filter((n) => keep.includes(n.id))
    .map((n) => ({
      ...n,
      params: edit(n.stage, { ...n.params }),
      retry: { ...n.retry, maximumAttempts: 1 },
    }));
  return { pipeline: plan.pipeline, nodes };
}
