import { suggestionSheetPng } from '../../data/labels/suggestion-sheet.js';
import { toLabelCsv } from '../../data/labels/to-label-csv.js';
import { selectForLabelling } from '../../ml/active/index.js';
import { predictHead } from '../../ml/head/index.js';
import type { SuggestionsFile } from '../../pipelines/artefacts/suggestions-file.js';
import { suggestStage } from '../../pipelines/stages.js';
import { StageFailure } from '../stage-runner.js';
import { defineStage } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { readBoxLabels } from './support/box-labels.js';
import { boxesById } from './support/box-table.js';
import { loadCropPool } from './support/crop-pool.js';
import { loadFeatures, readFeatureIndex, selectFeatureRows } from './support/feature-table.js';
import { headFromJson } from './support/head-file.js';

export const suggest = defineStage({
  def: suggestStage,
  async run(ctx, params) {
    const head = headFromJson(await readInputJson(ctx.inputs.head, 'head.json'));
    const { classes, labelOf } = await readBoxLabels(ctx.inputs.ingest);
    const all = await loadFeatures(ctx.inputs.features, await readFeatureIndex(ctx.inputs.features));
    // Never the held-out region: a label there would become a test label, not a training one.
    const candidates = all.entries.flatMap((e, i) =>
      e.split === 'train' && !labelOf.has(e.boxId) ? [i] : [],
    );
    const labelled = all.entries.flatMap((e, i) => (e.split === 'train' && labelOf.has(e.boxId) ? [i] : []));
    if (candidates.length === 0)
      throw new StageFailure('suggest: every crop outside the held-out region is labelled already');
    ctx.progress({ message: `${params.strategy}: ${candidates.length} unlabelled crops` });
    const candidateRows = new Set(candidates);
    const { probs, labels: predicted } = predictHead(
      head,
      selectFeatureRows(all, (_, i) => candidateRows.has(i)).values,
    );
    const chosen = selectForLabelling({
      strategy: params.strategy,
      n: params.n,
      features: all.values,
      dim: all.dim,
      candidates,
      labelled,
      probs,
      classes: head.classes,
      shortlist: params.shortlist,
      seed: params.seed,
    });
    const position = new Map(candidates.map((row, j) => [row, j]));
    const boxes = await boxesById(
      ctx.inputs.ingest,
      await readInputJson(ctx.inputs.ingest, 'boxes.json'),
      ctx.scratchDir,
      new Set(chosen.rows.map((row) => all.entries[row]!.boxId)),
    );
    const rows = chosen.rows.map((row, k) => {
      const j = position.get(row)!;
      const best = predicted[j]!;
      const box = boxes.get(all.entries[row]!.boxId)!;
      return {
        boxId: box.boxId,
        image: box.image,
        box: [box.x1, box.y1, box.x2, box.y2] as [number, number, number, number],
        imageWidth: box.imageWidth,
        imageHeight: box.imageHeight,
        suggested: classes[best] ?? String(best),
        confidence: probs[j * head.classes + best]!,
        uncertainty: chosen.scores[k] ?? null,
      };
    });
    const file: SuggestionsFile = {
      strategy: params.strategy,
      head: params.head,
      classes,
      candidates: candidates.length,
      labelled: labelled.length,
      rows: rows.map(({ imageWidth: _w, imageHeight: _h, ...r }) => r),
    };
    await ctx.writer.putJson('suggestions.json', file);
    await ctx.writer.putBuffer('to-label.csv', Buffer.from(toLabelCsv(rows), 'utf8'));
    const pool = await loadCropPool(ctx.inputs.crops, ctx.scratchDir);
    const rowOfBox = new Map(pool.index.entries.map((e, i) => [e.boxId, i]));
    const sheet = await suggestionSheetPng(
      pool,
      rows.map((r, k) => ({
        row: rowOfBox.get(r.boxId)!,
        caption: [`${k + 1}. ${r.boxId}`, `${r.suggested}? ${(r.confidence * 100).toFixed(0)} %`],
      })),
    );
    await ctx.writer.putBuffer('contact-sheet.png', sheet);
    return { metrics: { suggested: rows.length, candidates: candidates.length, labelled: labelled.length } };
  },
});
