import { z } from 'zod';
import { headToTfjsModelFiles, trainLinearHead, trainSemiSupervisedHead } from '../../ml/head/index.js';
import { headStage, SEMI } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './artefact-files.js';
import { loadFeaturePool, readFeatureIndex, selectFeatureRows } from './feature-table.js';
import { headToJson } from './head-file.js';
import { backendLabel, ensureBackend } from './ml-runtime.js';

const SampleFileSchema = z.object({ seed: z.number(), samples: z.record(z.string(), z.array(z.string())) });

export const head = defineStage({
  def: headStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const index = await readFeatureIndex(ctx.inputs.features!);
    const sampleFile = SampleFileSchema.parse(await readInputJson(ctx.inputs.sample!, 'sample.json'));
    const ids = sampleFile.samples[String(params.fraction)];
    if (!ids)
      throw new StageFailure(
        `sample has no ${params.fraction} % fraction (has ${Object.keys(sampleFile.samples)})`,
      );
    const wanted = new Set(ids);
    const labelled = await loadFeaturePool(ctx.inputs.features!, index, 'labelled');
    const train = selectFeatureRows(labelled, (e) => wanted.has(e.boxId));
    const labels = Int32Array.from(train.entries.map((e) => e.label ?? -1));
    const common = {
      features: train.values,
      dim: train.dim,
      labels,
      classes: index.classes.length,
      valShare: params.valShare,
      epochs: params.epochs,
      batchSize: params.batchSize,
      lr: params.lr,
      weightDecay: params.weightDecay,
      patience: params.patience,
      seed: params.seed,
    };
    ctx.progress({ message: `${params.mode} head on ${train.entries.length} labelled crops` });
    let training: Record<string, unknown>;
    let result: { head: Parameters<typeof headToJson>[0]; epochsRun: number; trainMs: number };
    if (params.mode === SEMI) {
      const pool = await loadFeaturePool(ctx.inputs.features!, index, 'unlabelled');
      const semi = trainSemiSupervisedHead({
        ...common,
        unlabelledFeatures: pool.values,
        threshold: params.pseudoThreshold,
        rounds: params.pseudoRounds,
      });
      const epochsRun = semi.rounds.reduce((s, r) => s + r.epochsRun, semi.supervised.epochsRun);
      result = { head: semi.head, epochsRun, trainMs: semi.trainMs };
      training = { epochsRun, trainMs: semi.trainMs, chosenRound: semi.chosenRound, rounds: semi.rounds };
    } else {
      const sup = trainLinearHead(common);
      result = sup;
      training = {
        epochsRun: sup.epochsRun,
        trainMs: sup.trainMs,
        bestEpoch: sup.bestEpoch,
        history: sup.history,
      };
    }
    const files = await headToTfjsModelFiles(result.head);
    await ctx.writer.putJson('head.json', headToJson(result.head));
    await ctx.writer.putJson('model.json', files.modelJson);
    await ctx.writer.putBuffer('weights.bin', files.weightsBin);
    await ctx.writer.putJson('training.json', { ...training, sampleSize: train.entries.length });
    return {
      metrics: { epochsRun: result.epochsRun, trainMs: result.trainMs, sampleSize: train.entries.length },
      backend: backendLabel(info),
    };
  },
});
