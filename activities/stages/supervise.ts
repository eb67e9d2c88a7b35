import { buildBackbone, saveBackboneToMemory } from '../../ml/models/index.js';
import { trainSupervised } from '../../ml/supervised/train-supervised.js';
import { superviseStage } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage } from '../stage-types.js';
import { labelledSplits, readBoxLabels } from './support/box-labels.js';
import { loadCropPool } from './support/crop-pool.js';
import { backendLabel, ensureBackend } from './support/ml-runtime.js';

/**
 * A supervised source backbone: trained with the labels of its own (source) dataset, never its test split.
 * Short (a few epochs), so it restarts from scratch on a retry instead of checkpointing.
 */
export const supervise = defineStage({
  def: superviseStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const pool = await loadCropPool(ctx.inputs.crops, ctx.scratchDir);
    const labels = await readBoxLabels(ctx.inputs.ingest);
    const train = labelledSplits(pool.index.entries, labels).train;
    if (train.length < params.batchSize)
      throw new StageFailure(
        `supervise: ${train.length} labelled crops outside the test split < batchSize ${params.batchSize}; ` +
          'label more crops or lower supervised.batchSize',
      );
    const rowOf = new Map(pool.index.entries.map((e, i) => [e.boxId, i]));
    const per = pool.size * pool.size * 3;
    const pixels = new Uint8Array(train.length * per);
    train.forEach((t, i) => {
      const row = rowOf.get(t.id)!;
      pixels.set(pool.pixels.subarray(row * per, (row + 1) * per), i * per);
    });
    const backbone = buildBackbone(params.arch);
    const history = await trainSupervised(
      backbone,
      {
        pixels,
        size: pool.size,
        labels: Int32Array.from(train, (t) => t.label),
        classes: labels.classes.length,
      },
      params,
      (step, total, epoch) => ctx.progress({ done: step, total, unit: 'steps', epoch, step }),
    );
    const saved = await saveBackboneToMemory(backbone);
    await ctx.writer.putBuffer('model.json', Buffer.from(saved.modelJson, 'utf8'));
    await ctx.writer.putBuffer('weights.bin', saved.weights);
    await ctx.writer.putJson('history.json', { classes: labels.classes, trainCrops: train.length, history });
    backbone.dispose();
    const last = history[history.length - 1]!;
    return {
      metrics: {
        trainCrops: train.length,
        epochs: history.length,
        loss: last.loss,
        trainAccuracy: last.accuracy,
      },
      backend: backendLabel(info),
    };
  },
});
