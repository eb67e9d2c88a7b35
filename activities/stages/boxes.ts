import { BOX_RECORDS_FILE } from '../../data/sku110k/box-records.js';
import { boxesStage } from '../../pipelines/stages.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { inputBoxes } from './support/box-table.js';

export const boxes = defineStage({
  def: boxesStage,
  async run(ctx) {
    const { format, version, count, photos } = await readInputJson(ctx.inputs.ingest, 'boxes.json');
    // The same records file, checked line by line on the way through: only the labels are left behind.
    const { source, boxes } = await inputBoxes(ctx.inputs.ingest, { count }, ctx.scratchDir);
    let n = 0;
    for await (const _ of boxes()) n++;
    await ctx.writer.putFile(BOX_RECORDS_FILE, source.file);
    await ctx.writer.putJson('boxes.json', { format, version, count, photos });
    return { metrics: { boxes: n } };
  },
});
