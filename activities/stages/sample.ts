import { readCropIndex } from '../../data/crop/index.js';
import { nestedStratifiedSample } from '../../data/sampling.js';
import { sampleStage } from '../../pipelines/stages.js';
import { defineStage } from '../stage-types.js';
import { downloadInputFiles } from './support/artefact-files.js';

export const sample = defineStage({
  def: sampleStage,
  async run(ctx, params) {
    const dir = await downloadInputFiles(
      ctx.inputs.crops,
      'labelled',
      ctx.scratchDir,
      (name) => name === 'labelled/index.json',
    );
    const index = await readCropIndex(dir);
    // The fixed test split is never sampled: only labelled crops of the train split are candidates.
    const candidates = index.entries
      .filter((e) => e.split === 'train' && e.label !== null)
      .map((e) => ({ id: e.boxId, label: e.label as number }));
    const fractions = [...params.fractions].sort((a, b) => a - b);
    const samples = nestedStratifiedSample(candidates, fractions, params.seed);
    await ctx.writer.putJson('sample.json', { seed: params.seed, candidates: candidates.length, samples });
    return { metrics: Object.fromEntries(fractions.map((f) => [`n@${f}`, samples[String(f)]?.length ?? 0])) };
  },
});
