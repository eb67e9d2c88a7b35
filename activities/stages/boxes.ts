import { boxesStage } from '../../pipelines/stages.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';

export const boxes = defineStage({
  def: boxesStage,
  async run(ctx) {
    const { boxes } = await readInputJson(ctx.inputs.ingest, 'boxes.json');
    await ctx.writer.putJson('boxes.json', { boxes });
    return { metrics: { boxes: boxes.length } };
  },
});
