import type { LayersModel } from '@tensorflow/tfjs-layers';
import { buildBackbone, saveBackboneToMemory } from '../../ml/models/index.js';
import {
  decodeSwavState,
  encodeSwavState,
  type ImageBatch,
  type ResolvedSwavSettings,
  resolvedAutoValues,
  resolveSwavSettings,
  type SwavSettings,
  SwavTrainer,
  swavTrainerConfig,
} from '../../ml/swav/index.js';
import { pretrainStage } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage, type StageContext } from '../stage-types.js';
import { loadCropPool } from './support/crop-pool.js';
import { backendLabel, ensureBackend } from './support/ml-runtime.js';
import { checkpointLabel, PretrainLoop, type PretrainShape } from './swav/pretrain-loop.js';
import { chooseMonitorSet, type MonitorSet, monitorKnnAccuracy } from './swav/swav-monitor.js';
import { describeChanges, saveHealthyState } from './swav/swav-recovery.js';
import { swavTrainingImages } from './swav/swav-training-images.js';

/** A fresh trainer, or the newest checkpoint of this exact stage + inputs + params (after a crash or retry). */
async function startOrResume(ctx: StageContext, settings: ResolvedSwavSettings, stepsPerEpoch: number) {
  const backbone: LayersModel = buildBackbone(settings.arch);
  const checkpoint = await ctx.loadCheckpoint();
  if (!checkpoint)
    return {
      trainer: new SwavTrainer(backbone, swavTrainerConfig(settings, stepsPerEpoch)),
      backbone,
      resumedFrom: 0,
    };
  const trainer = SwavTrainer.restore(decodeSwavState(checkpoint.blob), backbone);
  ctx.log(`resuming SwAV from checkpoint step ${checkpoint.pointer.step}`);
  return { trainer, backbone, resumedFrom: checkpoint.pointer.step };
}

/** The labelled train crops the per-epoch k-NN monitor scores, or null when off or too few labels. */
async function loadMonitorSet(ctx: StageContext, settings: ResolvedSwavSettings): Promise<MonitorSet | null> {
  if (settings.monitorCrops === 0) return null;
  const labelled = await loadCropPool(ctx.inputs.crops!, 'labelled', ctx.scratchDir);
  const set = chooseMonitorSet(labelled, {
    size: settings.monitorCrops,
    k: settings.monitorK,
    seed: settings.seed,
  });
  if (!set) ctx.log('k-NN monitor off: too few labelled train crops');
  return set;
}

type AutoValues = ReturnType<typeof resolvedAutoValues>;

/** The unlabelled crops SwAV trains on and the settings resolved for them (the `auto` ones logged). */
async function loadTrainingData(ctx: StageContext, params: SwavSettings) {
  const pool = await loadCropPool(ctx.inputs.crops!, 'unlabelled', ctx.scratchDir);
  const unlabelled: ImageBatch = { pixels: pool.pixels, n: pool.n, h: pool.size, w: pool.size, c: 3 };
  const data = swavTrainingImages(unlabelled, params);
  const settings = resolveSwavSettings(params, { cropSize: pool.size, images: data.n });
  const auto = resolvedAutoValues(params, settings);
  ctx.log(`SwAV auto settings for ${pool.size} px crops, ${data.n} unlabelled: ${JSON.stringify(auto)}`);
  if (data.n < settings.batchSize) {
    throw new StageFailure(
      `pretrain: ${data.n} unlabelled crops < batchSize ${settings.batchSize}; lower swav.batchSize`,
    );
  }
  const shape: PretrainShape = { stepsPerEpoch: Math.floor(data.n / settings.batchSize), images: data.n };
  return { data, settings, auto, shape };
}

/**
 * A fresh start: score the untrained backbone, and keep the initial state as healthy epoch 0 (a retry from
 * scratch restarts from exactly these weights, even with an unseeded architecture).
 */
async function keepInitialState(ctx: StageContext, trainer: SwavTrainer, monitor: MonitorSet | null) {
  if (monitor) trainer.recordKnnAccuracy(await monitorKnnAccuracy(trainer.model.backbone, monitor));
  await saveHealthyState(ctx.bucket, ctx.cacheKey, encodeSwavState(trainer.getState()));
}

/** The trained backbone (model.json + weights.bin) and history.json: settings, per-epoch stats, retries. */
async function writeOutputs(
  ctx: StageContext,
  trainer: SwavTrainer,
  run: { settings: ResolvedSwavSettings; auto: AutoValues; monitor: MonitorSet | null },
) {
  const saved = await saveBackboneToMemory(trainer.model.backbone);
  await ctx.writer.putBuffer('model.json', Buffer.from(saved.modelJson, 'utf8'));
  await ctx.writer.putBuffer('weights.bin', saved.weights);
  const { settings, auto, monitor } = run;
  const history = {
    settings: { ...settings, arch: undefined },
    auto,
    lnK: Math.log(settings.prototypes),
    steps: trainer.iteration,
    epochLosses: trainer.epochLosses,
    epochs: trainer.history,
    monitor: monitor
      ? { crops: monitor.images.n, k: monitor.k, classes: monitor.classes, knnAtInit: trainer.knnAtInit }
      : null,
    recoveries: trainer.recoveries,
  };
  await ctx.writer.putJson('history.json', history);
}

export const pretrain = defineStage({
  def: pretrainStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const { data, settings, auto, shape } = await loadTrainingData(ctx, params);
    const monitor = await loadMonitorSet(ctx, settings);
    const started = await startOrResume(ctx, settings, shape.stepsPerEpoch);
    const { backbone, resumedFrom } = started;
    const startLabel = checkpointLabel(started.trainer);
    if (startLabel === 0) await keepInitialState(ctx, started.trainer, monitor);
    const t0 = Date.now();
    const loop = new PretrainLoop(ctx, started.trainer, backbone, settings, monitor, shape);
    await loop.train(data);
    const trainer = loop.trainer;
    await writeOutputs(ctx, trainer, { settings, auto, monitor });
    const seconds = (Date.now() - t0) / 1000;
    const stepsRun = checkpointLabel(trainer) - startLabel;
    trainer.dispose();
    backbone.dispose();
    return {
      metrics: {
        finalLoss: trainer.epochLosses.at(-1) ?? loop.lastLoss,
        lnK: Math.log(settings.prototypes),
        images: data.n,
        steps: trainer.iteration,
        resumedFromStep: resumedFrom,
        imagesPerSecond: (stepsRun * settings.batchSize) / Math.max(seconds, 1e-3),
        auto,
        knnAtInit: trainer.knnAtInit,
        finalKnn: trainer.history.at(-1)?.knnAccuracy ?? null,
        epochs: trainer.history.map((e) => ({ epoch: e.epoch, loss: e.loss, knn: e.knnAccuracy ?? null })),
        collapseRetries: trainer.recoveries.map((r) => ({
          detectedAtEpoch: r.detectedAtEpoch,
          restartedFromEpoch: r.restartedFromEpoch,
          changes: describeChanges(r.changes),
        })),
      },
      backend: backendLabel(info),
    };
  },
});
