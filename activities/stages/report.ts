import { Context } from '@temporalio/activity';
import { z } from 'zod';
import { reportStage } from '../../pipelines/stages.js';
import { parseReportInput, type ReportInput } from '../../report/model.js';
import { buildWeeklyReport } from '../../report/workbook.js';
import { defineStage, type LoadedInput } from '../stage-types.js';
import { readInputJson } from './artefact-files.js';
import { cacheHitsOfRun, lineageRows, upstreamManifests } from './lineage.js';
import { pretrainingHistories } from './pretrain-history.js';

const EvalMetricsSchema = z.object({
  backbone: z.string(),
  mode: z.enum(['supervised', 'semi-supervised']),
  fraction: z.number(),
  seed: z.number().int(),
  accuracy: z.number(),
  epochs: z.number(),
  trainMs: z.number(),
  perClass: z.array(
    z.object({
      cls: z.string(),
      precision: z.number(),
      recall: z.number(),
      f1: z.number(),
      support: z.number(),
    }),
  ),
  confusion: z.array(z.array(z.number())),
});
type EvalMetrics = z.infer<typeof EvalMetricsSchema>;
const ShelfCountsSchema = z.object({
  classes: z.array(z.string()),
  counts: z.record(z.string(), z.array(z.number())),
});
const ReasonSchema = z.object({
  count: z.number(),
  examples: z.array(z.object({ file: z.string(), line: z.number(), detail: z.string() })),
});
const IngestReportSchema = z.object({
  counts: z.object({
    rows: z.number(),
    goodBoxes: z.number(),
    images: z.number(),
    bySplit: z.record(z.string(), z.object({ images: z.number() })),
  }),
  bad: z.record(z.string(), ReasonSchema),
  labels: z.object({ bad: z.record(z.string(), ReasonSchema) }),
});
const CropReportSchema = z.object({ labelled: z.number(), unlabelled: z.number(), test: z.number() });

const configKey = (m: EvalMetrics) => `${m.backbone}|${m.mode}|${m.fraction}`;

function groupResults(evals: EvalMetrics[]): ReportInput['results'] {
  const groups = new Map<string, EvalMetrics[]>();
  for (const e of evals) groups.set(configKey(e), [...(groups.get(configKey(e)) ?? []), e]);
  return [...groups.values()].map((runs) => ({
    backbone: runs[0]!.backbone,
    headMode: runs[0]!.mode,
    fractionPct: runs[0]!.fraction,
    seeds: runs
      .sort((a, b) => a.seed - b.seed)
      .map((r) => ({
        seed: r.seed,
        accuracy: r.accuracy,
        epochs: r.epochs,
        trainMs: r.trainMs,
        perClass: r.perClass,
        confusion: r.confusion,
      })),
  }));
}

/** The configuration with the best mean accuracy; its lowest seed's head predicts the shelf share. */
function bestEvaluation(evals: { metrics: EvalMetrics; input: LoadedInput }[]) {
  const mean = (k: string) => {
    const xs = evals.filter((e) => configKey(e.metrics) === k).map((e) => e.metrics.accuracy);
    return xs.reduce((s, x) => s + x, 0) / xs.length;
  };
  const best = [...new Set(evals.map((e) => configKey(e.metrics)))].sort((a, b) => mean(b) - mean(a))[0];
  return evals
    .filter((e) => configKey(e.metrics) === best)
    .sort((a, b) => a.metrics.seed - b.metrics.seed)[0];
}

function examples(reasons: Record<string, z.infer<typeof ReasonSchema>>) {
  return Object.fromEntries(
    Object.entries(reasons)
      .filter(([, r]) => r.count > 0)
      .map(([reason, r]) => [
        reason,
        { count: r.count, examples: r.examples.map((e) => `${e.file}:${e.line}: ${e.detail}`) },
      ]),
  );
}

export const report = defineStage({
  def: reportStage,
  async run(ctx, params) {
    const evalInputs = Object.entries(ctx.inputs)
      .filter(([name]) => name.startsWith('eval/'))
      .map(([, i]) => i);
    const evals = [];
    for (const input of evalInputs)
      evals.push({ input, metrics: EvalMetricsSchema.parse(await readInputJson(input, 'metrics.json')) });
    const best = bestEvaluation(evals);
    const shelf = best
      ? ShelfCountsSchema.parse(await readInputJson(best.input, 'shelf-counts.json'))
      : undefined;
    const ingest = IngestReportSchema.parse(await readInputJson(ctx.inputs.ingest!, 'ingest-report.json'));
    const crops = CropReportSchema.parse(await readInputJson(ctx.inputs.crops!, 'crop-report.json'));
    const manifests = await upstreamManifests(
      ctx.bucket,
      Object.values(ctx.inputs).map((i) => i.ref),
    );
    const hits = await cacheHitsOfRun(Context.current().client, params.runId);
    const input = parseReportInput({
      runId: params.runId,
      title: params.title,
      generatedAt: new Date().toISOString(),
      ...(params.isoWeek ? { weekLabel: params.isoWeek } : {}),
      classNames: params.classes,
      results: groupResults(evals.map((e) => e.metrics)),
      shelfShare: Object.entries(shelf?.counts ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([image, counts]) => ({
          image,
          counts: Object.fromEntries(params.classes.map((c, i) => [c, counts[i] ?? 0])),
        })),
      dataQuality: {
        ingest: {
          rows: ingest.counts.rows,
          goodBoxes: ingest.counts.goodBoxes,
          images: ingest.counts.images,
          bySplit: Object.fromEntries(Object.entries(ingest.counts.bySplit).map(([s, v]) => [s, v.images])),
        },
        crops,
        bad: { ...examples(ingest.bad), ...examples(ingest.labels.bad) },
      },
      lineage: lineageRows(manifests, hits),
      pretraining: pretrainingHistories(evals, manifests),
    });
    await ctx.writer.putJson('report-input.json', input);
    await ctx.writer.putBuffer('report.xlsx', await buildWeeklyReport(input));
    return {
      metrics: { results: input.results.length, evaluations: evals.length, lineage: input.lineage.length },
    };
  },
});
