import path from 'node:path';
import { PIPELINE_STAGES } from '../activities/stages/index.js';
import { connectClient } from '../cli/client.js';
import { startPipelineRun } from '../cli/runs.js';
import type { Settings } from '../config/settings.js';
import { makeShelves } from '../data/shelves/index.js';
import type { DagPlan } from '../pipelines/dag.js';
import { expandPaperPipeline, type RunConfig, RunConfigSchema } from '../pipelines/paper.js';
import { stageNode } from '../pipelines/stage.js';
import { type Bucket, bucketOf, readManifest } from '../store/artefacts.js';
import { createShelfWorker } from '../workers/worker.js';
import type { PipelineRunResult } from '../workflows/pipeline-run.js';
import { withBenchCluster } from './bench-cluster.js';
import { noopStage } from './noop-stage.js';
import { type Spread, spread } from './stats.js';

export interface PipelineBenchOptions {
  images: number;
  reps: number;
  log: (line: string) => void;
}

export interface PipelineBenchResult {
  settings: { images: number; reps: number; config: RunConfig };
  crops: number;
  cropsPerSecond: number;
  featureImages: number;
  featureImagesPerSecond: Record<string, number>;
  featurePassSeconds: Record<string, number>;
  headSweepSeconds: Spread;
  headSweepNodes: number;
  cachedRerunSeconds: Spread;
  cachedRerunNodes: number;
  temporalOverheadMsPerStage: Spread;
}

/** A small-but-real paper config: both backbones, SwAV kept short, the full fraction sweep, 3 seeds. */
function benchConfig(location: string): RunConfig {
  const arch = {
    kind: 'small-resnet',
    inputSize: 32,
    widths: [16, 32, 64, 128],
    blocksPerStage: [1, 1, 1, 1],
    seed: 1,
  };
  return RunConfigSchema.parse({
    name: 'bench',
    dataset: { location },
    backbones: [
      { name: 'random-init', kind: 'random', arch },
      {
        name: 'swav',
        kind: 'swav',
        swav: { arch, epochs: 1, batchSize: 32, prototypes: 30, maxImages: 512 },
      },
    ],
    sweep: { fractions: [10, 20, 30, 40, 50, 100], seeds: 3 },
  });
}

async function timed(
  run: () => Promise<PipelineRunResult>,
): Promise<{ seconds: number; result: PipelineRunResult }> {
  const start = performance.now();
  const result = await run();
  return { seconds: (performance.now() - start) / 1000, result };
}

async function stageMetric(bucket: Bucket, result: PipelineRunResult, node: string, stage: string) {
  const ref = result.refs[node];
  const m = ref ? await readManifest(bucket, stage, ref.key) : undefined;
  if (!m) throw new Error(`bench: no manifest for ${node}`);
  return m;
}

/** N independent no-op stages, forced: wall time / N is what Temporal + the artefact store add per stage. */
function overheadPlan(n: number, nonce: string): DagPlan {
  return {
    pipeline: 'bench-overhead',
    nodes: Array.from({ length: n }, (_, i) => stageNode(noopStage.def, `noop${i}`, { i, nonce }, {})),
  };
}

async function runAll(
  settings: Settings,
  opts: PipelineBenchOptions,
  dataset: string,
): Promise<PipelineBenchResult> {
  const stages = [...PIPELINE_STAGES, noopStage];
  const cpu = await createShelfWorker(settings, 'cpu', { stages, maxConcurrentActivities: 2 });
  const gpu = await createShelfWorker(settings, 'gpu', { stages });
  const running = Promise.all([cpu.run(), gpu.run()]);
  const { client, close } = await connectClient(settings);
  const bucket = bucketOf(settings);
  try {
    const config = benchConfig(dataset);
    const plan = expandPaperPipeline(config);
    const run = (o: Parameters<typeof startPipelineRun>[3] = {}) =>
      timed(async () => await (await startPipelineRun(client, settings, plan, o)).result());
    opts.log('bench pipeline: cold run (every stage computes)');
    const cold = await run();
    const crop = await stageMetric(bucket, cold.result, 'crop', 'crop');
    const featureImagesPerSecond: Record<string, number> = {};
    const featurePassSeconds: Record<string, number> = {};
    let featureImages = 0;
    for (const b of config.backbones) {
      const m = await stageMetric(bucket, cold.result, `features@${b.name}`, 'features');
      featureImagesPerSecond[b.name] = Number(m.metrics.imagesPerSecond);
      featurePassSeconds[b.name] = m.timings.durationMs / 1000;
      featureImages = Number(m.metrics.images);
    }
    const cached: number[] = [];
    const sweeps: number[] = [];
    for (let i = 0; i < opts.reps; i++) {
      opts.log(`bench pipeline: fully cached re-run ${i + 1}/${opts.reps}`);
      cached.push((await run()).seconds);
      opts.log(`bench pipeline: head sweep on cached features ${i + 1}/${opts.reps}`);
      sweeps.push((await run({ recomputeStages: ['sample'] })).seconds);
    }
    const overhead: number[] = [];
    for (let i = 0; i < opts.reps; i++) {
      const n = 20;
      const t = await timed(
        async () =>
          await (
            await startPipelineRun(client, settings, overheadPlan(n, `${Date.now()}-${i}`), { force: true })
          ).result(),
      );
      overhead.push((t.seconds * 1000) / n);
    }
    return {
      settings: { images: opts.images, reps: opts.reps, config },
      crops: Number(crop.metrics.crops),
      cropsPerSecond: Number(crop.metrics.cropsPerSecond),
      featureImages,
      featureImagesPerSecond,
      featurePassSeconds,
      headSweepSeconds: spread(sweeps),
      headSweepNodes: plan.nodes.filter((n) => ['sample', 'head', 'evaluate', 'report'].includes(n.stage))
        .length,
      cachedRerunSeconds: spread(cached),
      cachedRerunNodes: plan.nodes.length,
      temporalOverheadMsPerStage: spread(overhead),
    };
  } finally {
    cpu.shutdown();
    gpu.shutdown();
    await running;
    await close();
  }
}

/** The pipeline-level figures of BENCHMARKS.md, on a private Temporal + MinIO and generated shelves. */
export async function runPipelineBench(opts: PipelineBenchOptions): Promise<PipelineBenchResult> {
  return await withBenchCluster('shelfssl-bench-', async (settings, root) => {
    const dataset = path.join(root, 'shelves');
    opts.log(`bench pipeline: generating ${opts.images} Fashion-MNIST shelves`);
    await makeShelves({ out: dataset, images: opts.images, seed: 1, labelShare: 0.5 });
    return await runAll(settings, opts, dataset);
  });
}
