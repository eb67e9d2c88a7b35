import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import type { PipelineRunResult } from '../../workflows/run-result.js';
import type { RunningWorker } from '../support/worker.js';

/** The smallest real training run: tiny shelves, a random-init 16-px ResNet, one supervised head per fraction. */
export function tinyTrainingConfig(location: string, fractions = [50, 100]) {
  const arch = { kind: 'small-resnet', inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1], seed: 3 };
  return RunConfigSchema.parse({
    name: 'predict-e2e',
    dataset: { location },
    crop: { cropSize: 16, seed: 5 },
    backbones: [{ name: 'random-init', kind: 'random', arch }],
    heads: { modes: ['supervised'] },
    sweep: { fractions, seeds: 1 },
    report: { title: 'predict e2e' },
  });
}

/** Generates tiny shelves under `dir` and trains on them; returns the run id and result. */
export async function tinyTrainingRun(
  w: RunningWorker,
  dir: string,
  fractions?: number[],
  images = 12,
): Promise<{ runId: string; result: PipelineRunResult }> {
  await makeShelves({ ...tinyShelvesOptions(dir, 11, images), labelShare: 0.7 });
  const handle = await startPipelineRun(
    w.client,
    w.settings,
    expandPaperPipeline(tinyTrainingConfig(dir, fractions)),
  );
  return { runId: handle.workflowId, result: await handle.result() };
}
