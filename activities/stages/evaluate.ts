import { predictHead } from '../../ml/head/index.js';
import { classificationReport } from '../../ml/metrics/index.js';
import type { EvalMetricsFile } from '../../pipelines/artefacts/evaluate-metrics-file.js';
import { evaluateStage } from '../../pipelines/stages.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { readBoxLabels } from './support/box-labels.js';
import {
  type FeatureMatrix,
  loadFeatures,
  readFeatureIndex,
  selectFeatureRows,
} from './support/feature-table.js';
import { headFromJson } from './support/head-file.js';
import { backendLabel, ensureBackend } from './support/ml-runtime.js';

/** Predicted facings per class for every shelf image, over all crops (labelled and unlabelled). */
function shelfCounts(pools: FeatureMatrix[], predict: (m: FeatureMatrix) => Int32Array, classes: number) {
  const counts: Record<string, number[]> = {};
  for (const pool of pools) {
    const labels = predict(pool);
    pool.entries.forEach((e, i) => {
      const row = counts[e.image] ?? new Array<number>(classes).fill(0);
      row[labels[i]!] = (row[labels[i]!] ?? 0) + 1;
      counts[e.image] = row;
    });
  }
  return counts;
}

export const evaluate = defineStage({
  def: evaluateStage,
  async run(ctx, params) {
    const info = await ensureBackend();
    const head = headFromJson(await readInputJson(ctx.inputs.head, 'head.json'));
    const training = await readInputJson(ctx.inputs.head, 'training.json');
    const index = await readFeatureIndex(ctx.inputs.features);
    const { classes, labelOf } = await readBoxLabels(ctx.inputs.ingest);
    const all = await loadFeatures(ctx.inputs.features, index);
    // The fixed test split: labelled crops of the held-out region.
    const test = selectFeatureRows(all, (e) => e.split === 'test' && labelOf.has(e.boxId));
    const yTrue = Int32Array.from(test.entries.map((e) => labelOf.get(e.boxId) ?? -1));
    const { probs, labels: yPred } = predictHead(head, test.values);
    const report = classificationReport(yTrue, yPred, classes.length);
    const metrics: EvalMetricsFile = {
      ...params,
      classes,
      accuracy: report.accuracy,
      macro: report.macro,
      perClass: report.perClass.map((c, i) => ({ cls: classes[i] ?? String(i), ...c })),
      confusion: report.confusion,
      testSize: test.entries.length,
      iterations: training.iterations,
      converged: training.converged,
      l2: training.l2,
      trainMs: training.trainMs,
      sampleSize: training.sampleSize,
    };
    await ctx.writer.putJson('metrics.json', metrics);
    const C = classes.length;
    await ctx.writer.putJson(
      'predictions.json',
      test.entries.map((e, i) => ({
        boxId: e.boxId,
        image: e.image,
        label: labelOf.get(e.boxId) ?? null,
        predicted: yPred[i]!,
        confidence: probs[i * C + yPred[i]!]!,
      })),
    );
    const counts = shelfCounts([all], (m) => predictHead(head, m.values).labels, C);
    await ctx.writer.putJson('shelf-counts.json', { classes, counts });
    return {
      metrics: { accuracy: report.accuracy, macroF1: report.macro.f1, testSize: test.entries.length },
      backend: backendLabel(info),
    };
  },
});
