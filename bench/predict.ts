import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectClient } from '../cli/client.js';
import { startPredictRun } from '../cli/commands/predict/start-predict.js';
import { modelOfRun } from '../cli/model/resolve-model.js';
import { startPipelineRun } from '../cli/runs.js';
import type { Settings } from '../config/settings.js';
import { settingsToEnv } from '../config/settings-env.js';
import { makeShelves } from '../data/shelves/index.js';
import { expandPaperPipeline, RunConfigSchema } from '../pipelines/paper.js';
import { expandPredictPlan } from '../pipelines/predict.js';
import { bucketOf, readManifest } from '../store/artefacts.js';
import { createShelfWorker } from '../workers/worker.js';
import { withBenchCluster } from './bench-cluster.js';
import { type Spread, spread } from './stats.js';

export interface PredictBenchOptions {
  photos: number;
  reps: number;
  workers: number[];
  log: (line: string) => void;
}

export interface PredictBenchResult {
  photos: number;
  width: number;
  height: number;
  boxes: number;
  shards: number;
  cropSize: number;
  /** Workers -> boxes/s end to end (start of predictRun to its result, every node recomputed). */
  endToEnd: Record<number, Spread>;
  /** Workers -> mean of the shards' own boxes/s (crop + features + head, inside the activity). */
  perShard: Record<number, Spread>;
}

const CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));
const WIDTH = 1920;
const HEIGHT = 1440;
const SHARD_PHOTOS = 2;

/** The pipeline bench's 32-px ResNet, random init, one supervised head: what predict applies. */
function trainingConfig(location: string) {
  const arch = {
    kind: 'small-resnet',
    inputSize: 32,
    widths: [16, 32, 64, 128],
    blocksPerStage: [1, 1, 1, 1],
    seed: 1,
  };
  return RunConfigSchema.parse({
    name: 'bench-predict',
    dataset: { location },
    backbones: [{ name: 'random-init', kind: 'random', arch }],
    heads: { modes: ['supervised'] },
    sweep: { fractions: [100], seeds: 1 },
  });
}

export function spawnGpuWorker(settings: Settings): ChildProcess {
  return spawn(process.execPath, [CLI, 'worker', '--queue', 'gpu', '--role', 'activities'], {
    env: { ...process.env, ...settingsToEnv(settings) },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Realistic shelf photos: 1920×1440, ~100 product boxes each, their boxes in one CSV beside them. */
async function shelfPhotos(root: string, photos: number): Promise<{ dir: string; boxes: number }> {
  const out = path.join(root, 'photos');
  const r = await makeShelves({
    out,
    images: photos,
    seed: 9,
    width: WIDTH,
    height: HEIGHT,
    productSize: [150, 200],
    labelShare: 0,
  });
  const annotations = path.join(out, 'annotations');
  const csv = readdirSync(annotations)
    .sort()
    .map((f) => readFileSync(path.join(annotations, f), 'utf8'))
    .join('');
  writeFileSync(path.join(out, 'images', 'boxes.csv'), csv);
  return { dir: path.join(out, 'images'), boxes: r.boxes };
}

async function runAll(
  settings: Settings,
  opts: PredictBenchOptions,
  root: string,
): Promise<PredictBenchResult> {
  const cpu = await createShelfWorker(settings, 'cpu', { maxConcurrentActivities: 2 });
  const running = cpu.run();
  const { client, close } = await connectClient(settings);
  const bucket = bucketOf(settings);
  const workers: ChildProcess[] = [];
  try {
    opts.log('bench predict: training the model to apply');
    await makeShelves({ out: path.join(root, 'training'), images: 12, seed: 1, labelShare: 0.5 });
    workers.push(spawnGpuWorker(settings));
    const handle = await startPipelineRun(
      client,
      settings,
      expandPaperPipeline(trainingConfig(path.join(root, 'training'))),
    );
    const model = await modelOfRun(bucket, handle.workflowId, await handle.result());
    opts.log(`bench predict: generating ${opts.photos} photos ${WIDTH}x${HEIGHT}`);
    const photos = await shelfPhotos(root, opts.photos);
    const plan = expandPredictPlan({
      images: photos.dir,
      boxes: null,
      stores: null,
      shards: Math.ceil(opts.photos / SHARD_PHOTOS),
      cropSize: model.cropSize,
      padding: model.padding,
      normalization: model.normalization,
      classes: model.classes,
      unknownBelow: 0.5,
      title: 'bench',
      model: { runId: model.runId, config: 'bench', alias: null },
    });
    const endToEnd: Record<number, Spread> = {};
    const perShard: Record<number, Spread> = {};
    for (const n of opts.workers) {
      while (workers.length < n) workers.push(spawnGpuWorker(settings));
      while (workers.length > n) await stopChild(workers.pop()!);
      const e2e: number[] = [];
      const shard: number[] = [];
      for (let i = 0; i < opts.reps; i++) {
        opts.log(`bench predict: ${n} worker(s), run ${i + 1}/${opts.reps}`);
        const start = performance.now();
        const result = await (await startPredictRun(client, settings, plan, model, { force: true })).result();
        e2e.push(photos.boxes / ((performance.now() - start) / 1000));
        const rates: number[] = [];
        for (const [id, ref] of Object.entries(result.refs))
          if (id.startsWith('shard@'))
            rates.push(Number((await readManifest(bucket, ref.stage, ref.key))?.metrics.boxesPerSecond));
        shard.push(rates.reduce((s, x) => s + x, 0) / rates.length);
      }
      endToEnd[n] = spread(e2e);
      perShard[n] = spread(shard);
    }
    return {
      photos: opts.photos,
      width: WIDTH,
      height: HEIGHT,
      boxes: photos.boxes,
      shards: plan.nodes.filter((n) => n.stage === 'predict-shard').length,
      cropSize: model.cropSize,
      endToEnd,
      perShard,
    };
  } finally {
    await Promise.all(workers.map(stopChild));
    cpu.shutdown();
    await running;
    await close();
  }
}

/** `predict` throughput on realistic shelf photos, one and several gpu-queue worker processes. */
export async function runPredictBench(opts: PredictBenchOptions): Promise<PredictBenchResult> {
  return await withBenchCluster('shelfssl-bench-predict-', (settings, root) => runAll(settings, opts, root));
}
