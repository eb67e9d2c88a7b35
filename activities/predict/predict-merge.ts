import type { PredictSummaryFile, ShardPredictionsFile } from '../../pipelines/artefacts/predict-files.js';
import { predictMergeStage } from '../../pipelines/predict.js';
import type { ShelfShareRow } from '../../report/model.js';
import { csvText, labelBoxes, predictionsCsv, shareRows, UNKNOWN_CLASS } from '../../report/predict-table.js';
import { buildPredictWorkbook } from '../../report/predict-workbook.js';
import { shelfShareLines, shelfShareTotal } from '../../report/shelf-share.js';
import { StageFailure } from '../stage-failure.js';
import { defineStage, type StageContext } from '../stage-types.js';
import { readInputJson } from '../stages/support/artefact-files.js';

const NO_STORE = '(no store)';

type MergeInputs = StageContext<typeof predictMergeStage>['inputs'];
type ShardInput = NonNullable<MergeInputs[`shard/${string}`]>;

/** Shelf share as CSV: one line per image or store, facings then shares per class, and the total. */
function shareCsv(first: string, rows: readonly ShelfShareRow[], classNames: readonly string[]): string {
  const lines = shelfShareLines(rows, classNames);
  const all = [...lines, shelfShareTotal(lines, classNames.length)];
  return csvText(
    [first, 'facings', ...classNames.map((c) => `${c}_facings`), ...classNames.map((c) => `${c}_share`)],
    all.map((l) => [l.image, l.total, ...l.counts, ...l.shares.map((s) => s.toFixed(6))]),
  );
}

export const predictMerge = defineStage({
  def: predictMergeStage,
  module: import.meta.url,
  async run(ctx, params) {
    const input = await readInputJson(ctx.inputs.input, 'input.json');
    const shards: ShardPredictionsFile[] = [];
    for (const [name, shard] of Object.entries(ctx.inputs))
      if (name.startsWith('shard/') && shard)
        shards.push(await readInputJson(shard as ShardInput, 'predictions.json'));
    shards.sort((a, b) => a.shard - b.shard);
    const rows = shards.flatMap((s) => s.rows);
    // Every good box must come back exactly once: a result short of boxes must not look complete.
    if (rows.length !== input.counts.goodBoxes)
      throw new StageFailure(
        `predict merge: the shards classified ${rows.length} boxes, the input has ${input.counts.goodBoxes}: ` +
          'a shard is missing or stale; re-run predict',
      );
    const storeOf = new Map(input.images.map((im) => [im.name, im.store]));
    const order = new Map(input.images.map((im, i) => [im.name, i]));
    rows.sort((a, b) => (order.get(a.image) ?? 0) - (order.get(b.image) ?? 0));
    const boxes = labelBoxes(rows, params.classes, (im) => storeOf.get(im) ?? null, params.unknownBelow);
    const classNames = [...params.classes, UNKNOWN_CLASS];
    const perImage = shareRows(boxes, (b) => b.image);
    const withStores = input.images.some((im) => im.store !== null);
    const perStore = withStores ? shareRows(boxes, (b) => b.store ?? NO_STORE) : [];
    const perClass = Object.fromEntries(classNames.map((c) => [c, boxes.filter((b) => b.cls === c).length]));
    const summary: PredictSummaryFile = {
      model: params.model,
      classes: params.classes,
      unknownBelow: params.unknownBelow,
      counts: {
        images: input.counts.images,
        boxes: boxes.length,
        unknown: perClass[UNKNOWN_CLASS] ?? 0,
        badRows: input.counts.badRows,
        rows: input.counts.rows,
        stores: perStore.length,
      },
      perClass,
      bad: input.bad,
      warnings: input.warnings,
    };
    await ctx.writer.putBuffer('predictions.csv', Buffer.from(predictionsCsv(boxes)));
    await ctx.writer.putBuffer(
      'shelf-share-images.csv',
      Buffer.from(shareCsv('image', perImage, classNames)),
    );
    await ctx.writer.putBuffer(
      'shelf-share-stores.csv',
      Buffer.from(
        shareCsv(
          'store',
          perStore.map(({ store: _s, ...r }) => r),
          classNames,
        ),
      ),
    );
    const model = `${params.model.alias ? `${params.model.alias} = ` : ''}${params.model.runId}/${params.model.config}`;
    const xlsx = await buildPredictWorkbook({
      title: params.title,
      generatedAt: new Date().toISOString(),
      model,
      classNames,
      boxes,
      perImage,
      perStore: perStore.map((r) => ({ ...r })),
      counts: { ...summary.counts, unknownBelow: params.unknownBelow },
      bad: input.bad,
    });
    await ctx.writer.putBuffer('predictions.xlsx', xlsx);
    await ctx.writer.putJson('summary.json', summary);
    return { metrics: { ...summary.counts } };
  },
});
