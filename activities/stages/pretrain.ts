import type { LayersModel } from '@tensorflow/tfjs-layers';
import { type CropRowSource, gatherRows } from '../../data/crop/pool-rows.js';
import { buildBackbone, saveBackboneToMemory } from '../../ml/models/index.js';
import {
  decodeSwavState,
  encodeSwavState,
  type ResolvedSwavSettings,
  resolvedAutoValues,
  resolveSwavSettings,
  type SwavSettings,
  SwavTrainer,
  swavTrainerConfig,
} from '../../ml/swav/index.js';
import { pretrainStage } from '../../pipelines/stages.js';
import type { ArtefactRef } from '../../store/artefact-schema.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage, type LoadedInput, type StageContext } from '../stage-types.js';
import { readBoxLabels } from './support/box-labels.js';
import { type CropPoolIndex, cropRowsOf, readCropPoolIndex } from './support/crop-pool.js';
import { backendLabel, ensureBackend } from './support/ml-runtime.js';
import { checkpointLabel, PretrainLoop, type PretrainShape } from './swav/pretrain-loop.js';
import {
  chooseMonitorSet,
  type MonitorCandidate,
  type MonitorSet,
  monitorKnnAccuracy,
} from './swav/swav-monitor.js';
import { describeChanges, saveHealthyState } from './swav/swav-recovery.js';
import { swavSubset } from './swav/swav-training-images.js';
import { loadInitWeights, warmSchedule, withWarmSchedule } from './swav/warm-start.js';

/**
 * A fresh trainer (from the warm-start backbone's weights when `init` is given), or the newest checkpoint of
 * this exact stage + inputs + params (after a crash or retry).
 */
async function startOrResume(
  ctx: StageContext,
  settings: ResolvedSwavSettings,
  stepsPerEpoch: number,
  init: LoadedInput | undefined,
) {
  const backbone: LayersModel = buildBackbone(settings.arch);
  const checkpoint = await ctx.loadCheckpoint();
  if (!checkpoint && init) {
    await loadInitWeights(backbone, init);
    ctx.log(`warm start from ${init.ref.stage}/${init.ref.key}`);
  }
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

/**
 * What SwAV reads of the crop index, streamed: the rows outside the held-out region (what it may train on) and,
 * when the k-NN monitor is on, the labelled train rows. Only with `monitorCrops` > 0 does the pipeline wire
 * `monitor/labels`: the one way labels reach pretraining.
 */
async function trainingRows(
  ctx: StageContext<typeof pretrainStage>,
  pool: CropPoolIndex,
  params: SwavSettings,
) {
  const labelsInput = ctx.inputs['monitor/labels'];
  const labelOf = params.monitorCrops > 0 && labelsInput ? (await readBoxLabels(labelsInput)).labelOf : null;
  const train: number[] = [];
  const labelled: MonitorCandidate[] = [];
  let row = 0;
  for await (const e of pool.entries()) {
    if (e.split !== 'test') train.push(row);
    const label = labelOf && e.split === 'train' ? labelOf.get(e.boxId) : undefined;
    if (label !== undefined && label !== null) labelled.push({ row, label });
    row++;
  }
  return { train, labelled };
}

/** The crops the per-epoch k-NN monitor scores, or null when off, unwired or too few labels. */
async function loadMonitorSet(
  ctx: StageContext,
  candidates: readonly MonitorCandidate[],
  rows: CropRowSource,
  settings: ResolvedSwavSettings,
): Promise<MonitorSet | null> {
  if (settings.monitorCrops === 0 || !ctx.inputs['monitor/labels']) return null;
  const set = await chooseMonitorSet(candidates, rows, {
    size: settings.monitorCrops,
    k: settings.monitorK,
    seed: settings.seed,
  });
  if (!set) ctx.log('k-NN monitor off: too few labelled train crops');
  return set;
}

type AutoValues = ReturnType<typeof resolvedAutoValues>;

/** What a warm start began from, in history.json (the manifest's `init/backbone` input says it too). */
interface InitFromRecord {
  requested: string | null;
  ref: ArtefactRef;
  schedule: ReturnType<typeof warmSchedule>;
}

/**
 * The crops SwAV trains on, labelled or not (all but the held-out region), and the settings resolved for
 * them (the `auto` ones logged).
 */
async function loadTrainingData(
  ctx: StageContext,
  rows: CropRowSource,
  train: readonly number[],
  params: SwavSettings,
) {
  // Only the chosen rows are read (a shard at a time): with `maxImages` the pool itself is never held.
  const subset = swavSubset(train.length, params);
  const data = await gatherRows(rows, subset ? subset.map((i) => train[i]!) : train);
  const settings = resolveSwavSettings(params, { cropSize: rows.size, images: data.n });
  const auto = resolvedAutoValues(params, settings);
  ctx.log(`SwAV auto settings for ${rows.size} px crops, ${data.n} crops: ${JSON.stringify(auto)}`);
  if (data.n < settings.batchSize) {
    throw new StageFailure(
      `pretrain: ${data.n} crops outside the held-out region < batchSize ${settings.batchSize}; lower swav.batchSize`,
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
  run: {
    settings: ResolvedSwavSettings;
    auto: AutoValues;
    monitor: MonitorSet | null;
    initFrom: InitFromRecord | null;
  },
) {
  const saved = await saveBackboneToMemory(trainer.model.backbone);
  await ctx.writer.putBuffer('model.json', Buffer.from(saved.modelJson, 'utf8'));
  await ctx.writer.putBuffer('weights.bin', saved.weights);
  const { settings, auto, monitor, initFrom } = run;
  const history = {
    settings: { ...settings, arch: undefined },
    auto,
    initFrom,
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
    const pool = await readCropPoolIndex(ctx.inputs.crops, ctx.scratchDir);
    const rows = cropRowsOf(ctx.inputs.crops, pool);
    const init = ctx.inputs['init/backbone'];
    const effective = init ? withWarmSchedule(params) : params;
    const { train, labelled } = await trainingRows(ctx, pool, effective);
    const { data, settings, auto, shape } = await loadTrainingData(ctx, rows, train, effective);
    const monitor = await loadMonitorSet(ctx, labelled, rows, settings);
    const started = await startOrResume(ctx, settings, shape.stepsPerEpoch, init);
    const initFrom: InitFromRecord | null = init
      ? { requested: params.initFrom ?? null, ref: init.ref, schedule: warmSchedule(params) }
      : null;
    const { backbone, resumedFrom } = started;
    const startLabel = checkpointLabel(started.trainer);
    if (startLabel === 0) await keepInitialState(ctx, started.trainer, monitor);
    const t0 = Date.now();
    const loop = new PretrainLoop(ctx, started.trainer, backbone, settings, monitor, shape);
    await loop.train(data);
    const trainer = loop.trainer;
    await writeOutputs(ctx, trainer, { settings, auto, monitor, initFrom });
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
        initFrom: initFrom ? `${initFrom.ref.stage}/${initFrom.ref.key}` : null,
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
