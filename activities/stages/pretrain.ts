import type { LayersModel } from '@tensorflow/tfjs-layers';
import { buildBackbone, saveBackboneToMemory } from '../../ml/models/index.js';
import { decodeSwavState, detectCollapse, encodeSwavState, SwavTrainer } from '../../ml/swav/index.js';
import { pretrainStage } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage, type StageContext } from '../stage-types.js';
import { yieldToEventLoop } from './artefact-files.js';
import { loadCropPool } from './crop-pool.js';
import { backendLabel, ensureBackend } from './ml-runtime.js';
import { type SwavSettings, swavTrainerConfig, swavTrainingImages } from './swav-config.js';

type Params = SwavSettings;

/** A fresh trainer, or the newest checkpoint of this exact stage + inputs + params (after a crash or retry). */
async function startOrResume(ctx: StageContext, params: Params, stepsPerEpoch: number) {
  const backbone: LayersModel = buildBackbone(params.arch);
  const checkpoint = await ctx.loadCheckpoint();
  if (!checkpoint)
    return {
      trainer: new SwavTrainer(backbone, swavTrainerConfig(params, stepsPerEpoch)),
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
    const data = swavTrainingImages(
      { pixels: pool.pixels, n: pool.n, h: pool.size, w: pool.size, c: 3 },
      params,
    );
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
