import type { LayersModel } from '@tensorflow/tfjs-layers';
import { buildBackbone, IMAGENET_NORMALIZATION, saveBackboneToMemory } from '../../ml/models/index.js';
import { createRng, permutation } from '../../ml/random.js';
import {
  decodeSwavState,
  detectCollapse,
  encodeSwavState,
  type MultiCropConfig,
  SWAV_BLUR,
  SWAV_COLOR_JITTER,
  SwavTrainer,
  type SwavTrainerConfig,
  swavMultiCropConfig,
} from '../../ml/swav/index.js';
import { pretrainStage, type SwavParams } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage, type StageContext } from '../stage-types.js';
import { yieldToEventLoop } from './artefact-files.js';
import { type CropPool, loadCropPool } from './crop-pool.js';
import { backendLabel, ensureBackend } from './ml-runtime.js';

type Params = ReturnType<typeof SwavParams.parse>;

/** The unlabelled pool (optionally a seeded subset of it): SwAV never sees a label. */
function trainingImages(pool: CropPool, params: Params) {
  const per = pool.size * pool.size * 3;
  if (params.maxImages === 0 || params.maxImages >= pool.n) {
    return { pixels: pool.pixels, n: pool.n, h: pool.size, w: pool.size, c: 3 };
  }
  const chosen = permutation(pool.n, createRng(params.seed)).slice(0, params.maxImages);
  const pixels = new Uint8Array(chosen.length * per);
  chosen.forEach((row, i) => {
    pixels.set(pool.pixels.subarray(row * per, (row + 1) * per), i * per);
  });
  return { pixels, n: chosen.length, h: pool.size, w: pool.size, c: 3 };
}

/** SwAV's multi-crop recipe at the configured sizes, scales and augmentation strengths. */
function multiCropConfig(params: Params): MultiCropConfig {
  const base = swavMultiCropConfig(params.globalCrop, params.localCrop, params.localCount);
  const s = params.colorJitter;
  return {
    ...base,
    global: { ...base.global, scale: params.globalScale },
    local: { ...base.local, scale: params.localScale },
    ...(s > 0
      ? {
          colorJitter: {
            ...SWAV_COLOR_JITTER,
            brightness: 0.8 * s,
            contrast: 0.8 * s,
            saturation: 0.8 * s,
            hue: 0.2 * s,
          },
        }
      : { colorJitter: undefined }),
    grayscaleProbability: params.grayscaleProbability,
    blur: { ...SWAV_BLUR, probability: params.blurProbability },
    normalize: IMAGENET_NORMALIZATION,
  };
}

function trainerConfig(params: Params, stepsPerEpoch: number): SwavTrainerConfig {
  return {
    model: {
      projHidden: params.projHidden,
      projOut: params.projOut,
      prototypes: params.prototypes,
      seed: params.seed,
    },
    crops: multiCropConfig(params),
    schedule: {
      baseLr: params.lr,
      finalLr: params.lr * 0.001,
      warmupSteps: Math.round(params.warmupEpochs * stepsPerEpoch),
      totalSteps: params.epochs * stepsPerEpoch,
    },
    seed: params.seed,
    epsilon: params.epsilon,
    temperature: params.temperature,
    freezePrototypesIterations: params.freezePrototypesSteps,
    ...(params.queueLength > 0
      ? { queue: { length: params.queueLength, startEpoch: params.queueStartEpoch } }
      : {}),
  };
}

/** A fresh trainer, or the newest checkpoint of this exact stage + inputs + params (after a crash or retry). */
async function startOrResume(ctx: StageContext, params: Params, stepsPerEpoch: number) {
  const backbone: LayersModel = buildBackbone(params.arch);
  const checkpoint = await ctx.loadCheckpoint();
  if (!checkpoint)
    return {
      trainer: new SwavTrainer(backbone, trainerConfig(params, stepsPerEpoch)),
      backbone,
      resumedFrom: 0,
    };
  const trainer = SwavTrainer.restore(decodeSwavState(checkpoint.blob), backbone);
  ctx.log(`resuming SwAV from checkpoint step ${checkpoint.pointer.step}`);
  return { trainer, backbone, resumedFrom: checkpoint.pointer.step };
}

export const pretrain = defineStage({
  def: pretrainStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const pool = await loadCropPool(ctx.inputs.crops!, 'unlabelled', ctx.scratchDir);
    const data = trainingImages(pool, params);
    if (data.n < params.batchSize) {
      throw new StageFailure(
        `pretrain: ${data.n} unlabelled crops < batchSize ${params.batchSize}; lower swav.batchSize`,
      );
    }
    const stepsPerEpoch = Math.floor(data.n / params.batchSize);
    const { trainer, backbone, resumedFrom } = await startOrResume(ctx, params, stepsPerEpoch);
    const totalSteps = params.epochs * stepsPerEpoch;
    const started = Date.now();
    let lastLoss = Number.NaN;
    let checkpointKey: string | undefined;
    while (trainer.epoch < params.epochs) {
      const progress = trainer.trainEpoch(data, { batchSize: params.batchSize, maxSteps: 1 });
      if (progress.steps > 0) lastLoss = progress.meanLoss;
      if (trainer.iteration % params.checkpointEverySteps === 0 || progress.epochDone) {
        checkpointKey = (await ctx.saveCheckpoint(trainer.iteration, encodeSwavState(trainer.getState())))
          .key;
      }
      ctx.progress({
        epoch: trainer.epoch,
        step: trainer.iteration,
        done: trainer.iteration,
        total: totalSteps,
        unit: 'steps',
        loss: lastLoss,
        ...(checkpointKey ? { checkpointKey } : {}),
      });
      if (progress.epochDone) {
        const verdict = detectCollapse([...trainer.epochLosses], params.prototypes, {
          patience: params.collapsePatience,
        });
        if (verdict.collapsed) throw new StageFailure(`SwAV collapsed: ${verdict.message}`);
      }
      await yieldToEventLoop();
    }
    const saved = await saveBackboneToMemory(backbone);
    await ctx.writer.putBuffer('model.json', Buffer.from(saved.modelJson, 'utf8'));
    await ctx.writer.putBuffer('weights.bin', saved.weights);
    const history = {
      epochLosses: trainer.epochLosses,
      lnK: Math.log(params.prototypes),
      steps: trainer.iteration,
    };
    await ctx.writer.putJson('history.json', history);
    const seconds = (Date.now() - started) / 1000;
    const stepsRun = trainer.iteration - resumedFrom;
    trainer.dispose();
    backbone.dispose();
    return {
      metrics: {
        finalLoss: trainer.epochLosses.at(-1) ?? lastLoss,
        lnK: history.lnK,
        images: data.n,
        steps: trainer.iteration,
        resumedFromStep: resumedFrom,
        imagesPerSecond: (stepsRun * params.batchSize) / Math.max(seconds, 1e-3),
      },
      backend: backendLabel(info),
    };
  },
});
