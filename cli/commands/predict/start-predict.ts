import type { Client } from '@temporalio/client';
import type { Settings } from '../../../config/settings.js';
import type { DagPlan } from '../../../pipelines/dag.js';
import { PREDICT_MODEL_INPUTS } from '../../../pipelines/predict.js';
import type { ResolvedModel } from '../../../store/aliases.js';
import { predictRun } from '../../../workflows/predict-run.js';
import { CONFIG_HASH_KEY, configHash, pipelineRunInput, runMemo } from '../../runs.js';

function predictWorkflowId(hash: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `predict-${stamp}-${hash.slice(0, 8)}`;
}

/** Starts `predictRun` for a predict plan and the model whose backbone and head it reads. */
export async function startPredictRun(
  client: Client,
  settings: Settings,
  plan: DagPlan,
  model: Pick<ResolvedModel, 'backbone' | 'head'>,
  opts: { force?: boolean } = {},
) {
  const { options } = pipelineRunInput(settings, plan, { force: opts.force ?? false });
  return await client.workflow.start(predictRun, {
    taskQueue: settings.temporal.taskQueues.cpu,
    workflowId: predictWorkflowId(configHash(plan)),
    args: [
      {
        plan,
        options,
        model: { [PREDICT_MODEL_INPUTS.backbone]: model.backbone, [PREDICT_MODEL_INPUTS.head]: model.head },
      },
    ],
    typedSearchAttributes: [{ key: CONFIG_HASH_KEY, value: configHash(plan) }],
    memo: runMemo(plan),
  });
}
