import {
  type HeadTrainingOptions,
  headToTfjsModelFiles,
  trainLinearHead,
  trainSemiSupervisedHead,
} from '../../ml/head/index.js';
import type { HeadTrainingFile } from '../../pipelines/artefacts/head-training-file.js';
import { headStage, SEMI } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { readBoxLabels } from './support/box-labels.js';
import { loadFeatures, readFeatureIndex, selectFeatureRows } from './support/feature-table.js';
import { headToJson } from './support/head-file.js';
import { loadTeacher } from './support/head-teacher.js';
import { backendLabel, ensureBackend } from './support/ml-runtime.js';

export const head = defineStage({
  def: headStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const index = await readFeatureIndex(ctx.inputs.features);
    const sampleFile = await readInputJson(ctx.inputs.sample, 'sample.json');
    const ids = sampleFile.samples[String(params.fraction)];
    if (!ids)
      throw new StageFailure(
        `sample has no ${params.fraction} % fraction (has ${Object.keys(sampleFile.samples)})`,
      );
    const wanted = new Set(ids);
    const { classes, labelOf } = await readBoxLabels(ctx.inputs.ingest);
    const all = await loadFeatures(ctx.inputs.features, index);
    const train = selectFeatureRows(all, (e) => wanted.has(e.boxId) && labelOf.has(e.boxId));
    if (train.entries.length === 0)
      throw new StageFailure(`the ${params.fraction} % sample holds no labelled crop to train a head on`);
    const { mode, fraction, seed, ...settings } = params;
    const options: HeadTrainingOptions = {
      features: train.values,
      dim: train.dim,
      labels: Int32Array.from(train.entries.map((e) => labelOf.get(e.boxId) ?? -1)),
      classes: classes.length,
      seed,
      settings,
    };
    ctx.progress({ message: `${mode} head on ${train.entries.length} labelled crops (${fraction} %)` });
    const teacher = ctx.inputs.teacher;
    if (teacher && mode !== SEMI)
      throw new StageFailure(`a ${mode} head has no teacher: wire \`teacher\` only to ${SEMI} heads`);
    const result =
      mode === SEMI
        ? trainSemiSupervisedHead(
            {
              ...options,
              // Pseudo-labels come from unlabelled crops outside the held-out region, which stays for testing.
              unlabelledFeatures: selectFeatureRows(all, (e) => e.split === 'train' && !labelOf.has(e.boxId))
                .values,
            },
            teacher ? await loadTeacher(teacher, ctx.inputs, params) : undefined,
          )
        : trainLinearHead(options);
    const supervised = 'supervised' in result ? result.supervised : result;
    const training: HeadTrainingFile = {
      protocol: 'softmax-l2-lbfgs-cv',
      sampleSize: train.entries.length,
      l2: result.l2,
      folds: supervised.choice.folds,
      cv: supervised.choice.scores,
      iterations: result.iterations,
      converged: result.converged,
      gradientNorm: result.gradientNorm,
      loss: result.loss,
      trainMs: result.trainMs,
      ...('rounds' in result ? { rounds: result.rounds } : {}),
    };
    const files = await headToTfjsModelFiles(result.head);
    await ctx.writer.putJson('head.json', headToJson(result.head));
    await ctx.writer.putJson('model.json', files.modelJson);
    await ctx.writer.putBuffer('weights.bin', files.weightsBin);
    await ctx.writer.putJson('training.json', training);
    return {
      metrics: {
        iterations: result.iterations,
        converged: result.converged,
        l2: result.l2,
        trainMs: result.trainMs,
        sampleSize: train.entries.length,
      },
      backend: backendLabel(info),
    };
  },
});
