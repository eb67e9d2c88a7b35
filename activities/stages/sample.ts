import { nestedStratifiedSample } from '../../data/sampling.js';
import { sampleStage } from '../../pipelines/stages.js';
import { defineStage } from '../stage-types.js';
import { labelledSplits, readBoxLabels } from './support/box-labels.js';
import { readCropPoolIndex } from './support/crop-pool.js';

export const sample = defineStage({
  def: sampleStage,
  async run(ctx, params) {
    const index = await readCropPoolIndex(ctx.inputs.crops, ctx.scratchDir);
    // The fixed test split is never sampled: only labelled crops outside the held-out region are candidates.
    const labels = await readBoxLabels(ctx.inputs.ingest);
    const candidates = (await labelledSplits(index.entries(), labels)).train;
    const fractions = [...params.fractions].sort((a, b) => a - b);
    const samples = nestedStratifiedSample(candidates, fractions, params.seed);
    await ctx.writer.putJson('sample.json', { seed: params.seed, candidates: candidates.length, samples });
    return { metrics: Object.fromEntries(fractions.map((f) => [`n@${f}`, samples[String(f)]?.length ?? 0])) };
  },
});
