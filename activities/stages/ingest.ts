import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkLabelFit, LabelsDoNotFitError } from '../../data/labels/label-fit.js';
import { matchLabels } from '../../data/labels/match-labels.js';
import { readLabelCsv } from '../../data/labels/read-label-csv.js';
import { BadInputShareError, ingestSku110k } from '../../data/sku110k/index.js';
import { ingestStage } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage } from '../stage-types.js';
import { materialiseDataset, parseLocation } from './support/dataset-location.js';

export const ingest = defineStage({
  def: ingestStage,
  async run(ctx, params) {
    const root = await materialiseDataset(ctx.bucket.s3, parseLocation(params.location), ctx.scratchDir);
    ctx.progress({ message: 'validating annotations and images' });
    let result: Awaited<ReturnType<typeof ingestSku110k>>;
    try {
      result = await ingestSku110k({ root, maxBadShare: params.maxBadShare, boxPolicy: params.boxPolicy });
    } catch (err) {
      if (err instanceof BadInputShareError) throw new StageFailure(err.message);
      throw err;
    }
    const labelFile = path.join(root, params.labels);
    if (!existsSync(labelFile)) {
      throw new StageFailure(
        `label CSV ${params.labels} not found in ${params.location} (set dataset.labels)`,
      );
    }
    const labelCsv = await readLabelCsv(labelFile);
    const matched = matchLabels(result.boxes, labelCsv.rows, {
      classes: params.classes,
      iouThreshold: params.iouThreshold,
    });
    try {
      checkLabelFit(labelCsv, matched, {
        maxBadLabelShare: params.maxBadLabelShare,
        labelsName: params.labels,
      });
    } catch (err) {
      if (err instanceof LabelsDoNotFitError) throw new StageFailure(err.message);
      throw err;
    }
    await ctx.writer.putJson('boxes.json', {
      classes: params.classes,
      boxes: result.boxes,
      labels: matched.labels,
    });
    await ctx.writer.putJson('ingest-report.json', {
      counts: result.counts,
      bad: result.bad,
      warnings: result.warnings,
      labels: {
        counts: matched.counts,
        bad: { ...labelCsv.bad, ...matched.bad },
        warnings: matched.warnings,
      },
    });
    return {
      metrics: {
        rows: result.counts.rows,
        goodBoxes: result.counts.goodBoxes,
        badRows: result.counts.badRows,
        images: result.counts.images,
        labelledBoxes: matched.counts.labelledBoxes,
      },
    };
  },
});
