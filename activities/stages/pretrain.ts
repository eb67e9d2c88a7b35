import type { LayersModel } from '@tensorflow/tfjs-layers';
import { buildBackbone, saveBackboneToMemory } from '../../ml/models/index.js';
import {
  type CollapseVerdict,
  collapseSigns,
  decodeSwavState,
  detectCollapse,
  type EpochStats,
  encodeSwavState,
  type ImageBatch,
  type ResolvedSwavSettings,
  resolvedAutoValues,
  resolveSwavSettings,
  type StepResult,
  SwavTrainer,
  swavTrainerConfig,
} from '../../ml/swav/index.js';
import { pretrainStage } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage, type StageContext } from '../stage-types.js';
import { yieldToEventLoop } from './artefact-files.js';
import { loadCropPool } from './crop-pool.js';
import { backendLabel, ensureBackend } from './ml-runtime.js';
import { chooseMonitorSet, type MonitorSet, monitorKnnAccuracy } from './swav-monitor.js';
import {
  applyCollapseFixes,
  describeChanges,
  type FixContext,
  loadHealthyState,
  saveHealthyState,
} from './swav-recovery.js';
import { swavTrainingImages } from './swav-training-images.js';

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

/** Checkpoint labels keep increasing across a collapse retry (the rolling checkpoints are pruned by label). */
function checkpointLabel(trainer: SwavTrainer): number {
  return trainer.iteration + trainer.stepsAbandoned;
}

/** The state a retry restarts from: the newest healthy epoch's (epoch 0: the initial weights). */
async function healthyState(ctx: StageContext, epoch: number) {
  const blob = await loadHealthyState(ctx.bucket, ctx.cacheKey);
  const state = blob ? decodeSwavState(blob) : undefined;
  if (state?.epoch !== epoch)
    throw new StageFailure(
      `pretrain: the saved state of healthy epoch ${epoch} is missing (found ${state?.epoch ?? 'none'}); ` +
        're-run the stage with --force',
    );
  return state;
}

/**
 * The gate fired: fail with its message and this run's suggested values, or (once, when allowed) swap the
 * trainer for one restarted from the last healthy epoch with the fixes applied.
 */
async function retryOrFail(
  ctx: StageContext,
  trainer: SwavTrainer,
  backbone: LayersModel,
  settings: ResolvedSwavSettings,
  verdict: CollapseVerdict,
  shape: { stepsPerEpoch: number; images: number },
): Promise<SwavTrainer> {
  const at: FixContext = {
    restartStep: 0,
    restartEpoch: verdict.lastHealthyEpoch,
    stepsPerEpoch: shape.stepsPerEpoch,
    images: shape.images,
  };
  const previous = trainer.recoveries[0];
  if (!settings.collapseRetry || previous) {
    // Suggest the next step from the settings that just failed (the retried ones, if there was a retry).
    const current = previous
      ? applyCollapseFixes(settings, settings.collapseRetryFixes, {
          ...at,
          restartStep: previous.restartedFromStep,
        }).settings
      : settings;
    const suggested = describeChanges(applyCollapseFixes(current, settings.collapseRetryFixes, at).changes);
    const why = previous
      ? `The stage's one retry (${describeChanges(previous.changes)}) did not help`
      : 'The collapse retry is off (swav.collapseRetry: false)';
    throw new StageFailure(`${verdict.message}. ${why}; next try e.g. ${suggested}`);
  }
  const healthy = await healthyState(ctx, verdict.lastHealthyEpoch);
  const { settings: fixed, changes } = applyCollapseFixes(settings, settings.collapseRetryFixes, {
    ...at,
    restartStep: healthy.iteration,
  });
  ctx.log(`${verdict.message}\nretrying from epoch ${healthy.epoch} with ${describeChanges(changes)}`);
  const recovery = {
    detectedAtEpoch: trainer.epoch,
    detectedAtStep: trainer.iteration,
    restartedFromEpoch: healthy.epoch,
    restartedFromStep: healthy.iteration,
    message: verdict.message,
    changes,
    abandoned: trainer.history.filter((e) => e.epoch > healthy.epoch),
  };
  trainer.dispose();
  const config = swavTrainerConfig(fixed, shape.stepsPerEpoch);
  return SwavTrainer.retryAfterCollapse(healthy, backbone, config, recovery);
}

export const pretrain = defineStage({
  def: pretrainStage,
  async run(ctx, params) {
    const info = await ensureBackend();
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
    const stepsPerEpoch = Math.floor(data.n / settings.batchSize);
    const shape = { stepsPerEpoch, images: data.n };
    const monitor = await loadMonitorSet(ctx, settings);
    const started = await startOrResume(ctx, settings, stepsPerEpoch);
    const { backbone, resumedFrom } = started;
    let trainer = started.trainer;
    const startLabel = checkpointLabel(trainer);
    if (startLabel === 0) {
      // A fresh start: score the untrained backbone, and keep the initial state as healthy epoch 0 (a
      // retry from scratch restarts from exactly these weights, even with an unseeded architecture).
      if (monitor) trainer.recordKnnAccuracy(await monitorKnnAccuracy(backbone, monitor));
      await saveHealthyState(ctx.bucket, ctx.cacheKey, encodeSwavState(trainer.getState()));
    }
    const totalSteps = settings.epochs * stepsPerEpoch;
    const t0 = Date.now();
    let lastLoss = Number.NaN;
    let checkpointKey: string | undefined;

    const checkpoint = async (bytes = encodeSwavState(trainer.getState())) => {
      checkpointKey = (await ctx.saveCheckpoint(checkpointLabel(trainer), bytes)).key;
    };
    const heartbeat = (step: StepResult) => {
      lastLoss = step.epochEnded?.loss ?? step.loss;
      ctx.progress({
        epoch: trainer.epoch,
        step: trainer.iteration,
        done: trainer.iteration,
        total: totalSteps,
        unit: 'steps',
        loss: lastLoss,
        ...(checkpointKey ? { checkpointKey } : {}),
      });
    };
    /** After an epoch: score it with the k-NN monitor, keep its state when healthy, checkpoint it. */
    const closeEpoch = async (epoch: EpochStats) => {
      if (monitor) trainer.recordKnnAccuracy(await monitorKnnAccuracy(backbone, monitor));
      const bytes = encodeSwavState(trainer.getState());
      // Saved before the checkpoint, so any resumable checkpoint has its healthy epoch saved too.
      if (collapseSigns(epoch, settings.prototypes).length === 0)
        await saveHealthyState(ctx.bucket, ctx.cacheKey, bytes);
      await checkpoint(bytes);
    };
    /** The collapse gate: on collapse, fail or continue with a retried trainer (checkpointed at once). */
    const gate = async () => {
      const verdict = detectCollapse(trainer.history, settings.prototypes, {
        patience: settings.collapsePatience,
      });
      if (!verdict.collapsed) return;
      trainer = await retryOrFail(ctx, trainer, backbone, settings, verdict, shape);
      await checkpoint();
    };

    // A crash between an epoch's checkpoint and its gate resumes here: gate it as the lost attempt would have.
    if (trainer.atEpochBoundary && trainer.epoch > 0) await gate();
    while (trainer.epoch < settings.epochs) {
      const step = trainer.trainStep(data);
      if (step.epochEnded) await closeEpoch(step.epochEnded);
      else if (step.iteration % settings.checkpointEverySteps === 0) await checkpoint();
      heartbeat(step);
      if (step.epochEnded) await gate();
      await yieldToEventLoop();
    }
    const saved = await saveBackboneToMemory(backbone);
    await ctx.writer.putBuffer('model.json', Buffer.from(saved.modelJson, 'utf8'));
    await ctx.writer.putBuffer('weights.bin', saved.weights);
    const knnAtInit = trainer.knnAtInit;
    const history = {
      settings: { ...settings, arch: undefined },
      auto,
      lnK: Math.log(settings.prototypes),
      steps: trainer.iteration,
      epochLosses: trainer.epochLosses,
      epochs: trainer.history,
      monitor: monitor
        ? { crops: monitor.images.n, k: monitor.k, classes: monitor.classes, knnAtInit }
        : null,
      recoveries: trainer.recoveries,
    };
    await ctx.writer.putJson('history.json', history);
    const seconds = (Date.now() - t0) / 1000;
    const stepsRun = checkpointLabel(trainer) - startLabel;
    trainer.dispose();
    backbone.dispose();
    return {
      metrics: {
        finalLoss: trainer.epochLosses.at(-1) ?? lastLoss,
        lnK: history.lnK,
        images: data.n,
        steps: trainer.iteration,
        resumedFromStep: resumedFrom,
        imagesPerSecond: (stepsRun * settings.batchSize) / Math.max(seconds, 1e-3),
        auto,
        knnAtInit,
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
