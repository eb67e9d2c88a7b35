import path from 'node:path';
import { checkLabelFit, LabelsDoNotFitError } from '../../data/labels/label-fit.js';
import { matchLabels } from '../../data/labels/match-labels.js';
import { readLabelCsv } from '../../data/labels/read-label-csv.js';
import {
  BOX_RECORDS_FILE,
  BOXES_FORMAT,
  BOXES_VERSION,
  BoxRecordsWriter,
  boxRecords,
} from '../../data/sku110k/box-records.js';
import {
  BadInputShareError,
  type BoxRow,
  DatasetLayoutError,
  ingestSku110kStreamed,
} from '../../data/sku110k/index.js';
import { confinedFile } from '../../data/sku110k/safe-path.js';
import { ingestStage } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage } from '../stage-types.js';
import { allowedLocation } from './support/data-roots.js';
import { materialiseDataset } from './support/dataset-location.js';

export const ingest = defineStage({
  def: ingestStage,
  async run(ctx, params) {
    const location = await allowedLocation(ctx, params.location, 'dataset.location');
    const root = await materialiseDataset(ctx.bucket.s3, location, ctx.scratchDir);
    ctx.progress({ message: 'validating annotations and images' });
    // The boxes stream to boxes.ndjson (grouped by photo) as ingest accepts them; boxes.json is the header.
    const records = path.join(ctx.scratchDir, BOX_RECORDS_FILE);
    const writer = await BoxRecordsWriter.open(records);
    let result: Awaited<ReturnType<typeof ingestSku110kStreamed>>;
    try {
      result = await ingestSku110kStreamed(
        {
          root,
          maxBadShare: params.maxBadShare,
          boxPolicy: params.boxPolicy,
          maxImagePixels: params.maxImagePixels,
          maxRows: params.maxRows,
        },
        (box) => writer.add(box),
      );
    } catch (err) {
      // Both are facts of the data: another attempt would fail the same way.
      if (err instanceof BadInputShareError || err instanceof DatasetLayoutError)
        throw new StageFailure(err.message);
      throw err;
    }
    // dataset.labels comes from a workflow input: read it only inside the dataset, never through a link out.
    const labelFile = await confinedFile(root, params.labels, {
      thing: 'label CSV',
      folder: 'the dataset folder',
    });
    if (!labelFile.ok && labelFile.reason === 'missing') {
      throw new StageFailure(
        `label CSV ${params.labels} not found in ${params.location} (set dataset.labels)`,
      );
    }
    if (!labelFile.ok) throw new StageFailure(`dataset.labels ${params.labels}: ${labelFile.detail}`);
    const { count, photos } = await writer.close();
    const labelCsv = await readLabelCsv(labelFile.path);
    // Only the photos labels.csv names need their boxes in memory to match labels to them.
    const labelImages = new Set(labelCsv.rows.map((r) => r.image));
    const labelBoxes: BoxRow[] = [];
    for await (const box of boxRecords({ file: records, step: 'ingest', count }))
      if (labelImages.has(box.image)) labelBoxes.push(box);
    const matched = matchLabels(labelBoxes, labelCsv.rows, {
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
    await ctx.writer.putFile(BOX_RECORDS_FILE, records);
    await ctx.writer.putJson('boxes.json', {
      format: BOXES_FORMAT,
      version: BOXES_VERSION,
      count,
      photos,
      classes: params.classes,
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
