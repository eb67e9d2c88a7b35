import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';

/** Each panel's plot area in CSS pixels (the accuracy chart's width, half its height). */
export const PRETRAINING_PANEL = { width: 640, height: 180 };

/**
 * A SwAV backbone's training history as the pretrain stage's manifest records it (metrics `epochs`,
 * `knnAtInit`, `collapseRetries`): per-epoch loss and k-NN monitor accuracy, and any collapse retry.
 */
export const PretrainingSchema = z.object({
  backbone: z.string().min(1),
  lnK: z.number(),
  knnAtInit: z.number().nullable(),
  epochs: z.array(z.object({ epoch: z.number().int(), loss: z.number(), knn: z.number().nullable() })),
  collapseRetries: z.array(
    z.object({
      detectedAtEpoch: z.number().int(),
      restartedFromEpoch: z.number().int(),
      changes: z.string(),
    }),
  ),
});
export type Pretraining = z.infer<typeof PretrainingSchema>;

interface CurvePoint {
  backbone: string;
  epoch: number;
  knnPct: number | null;
  lossOverLnK: number;
}

function curvePoints(rows: readonly Pretraining[]): CurvePoint[] {
  return rows.flatMap((r) => [
    ...(r.knnAtInit === null
      ? []
      : [{ backbone: r.backbone, epoch: 0, knnPct: r.knnAtInit * 100, lossOverLnK: 1 }]),
    ...r.epochs.map((e) => ({
      backbone: r.backbone,
      epoch: e.epoch,
      knnPct: e.knn === null ? null : e.knn * 100,
      lossOverLnK: e.loss / r.lnK,
    })),
  ]);
}

/**
 * Two panels over epochs: the k-NN monitor's accuracy (epoch 0 = random init), which is what the features
 * are for, above the loss as a share of ln K (1 = the collapsed value), which is what the gate watches.
 * Dashed rules mark epochs where a collapse retry restarted.
 */
export function pretrainingChartSpec(rows: readonly Pretraining[]): TopLevelSpec {
  const x = { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 } };
  const color = { field: 'backbone', type: 'nominal' as const, title: 'Backbone' };
  const retries = rows.flatMap((r) =>
    r.collapseRetries.map((c) => ({ backbone: r.backbone, epoch: c.restartedFromEpoch })),
  );
  const retryLayer = {
    data: { values: retries },
    mark: { type: 'rule' as const, strokeDash: [4, 4] },
    encoding: { x: { field: 'epoch', type: 'quantitative' as const }, color },
  };
  const panel = (field: string, title: string) => ({
    ...PRETRAINING_PANEL,
    layer: [
      {
        data: { values: curvePoints(rows) },
        mark: { type: 'line' as const, point: true, strokeWidth: 2 },
        encoding: { x, y: { field, type: 'quantitative' as const, title, scale: { zero: false } }, color },
      },
      ...(retries.length > 0 ? [retryLayer] : []),
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: {
      text: 'SwAV pretraining',
      subtitle: 'k-NN monitor on a fixed labelled subset; loss ÷ ln K (1 = collapse)',
    },
    background: 'white',
    config: { view: { stroke: null } },
    vconcat: [panel('knnPct', 'k-NN accuracy (%)'), panel('lossOverLnK', 'loss ÷ ln K')],
  };
}
