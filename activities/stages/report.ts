import type { EvalMetricsFile } from '../../pipelines/artefacts/evaluate-metrics-file.js';
import type { ReasonFile } from '../../pipelines/artefacts/ingest-report-file.js';
import { reportStage } from '../../pipelines/stages.js';
import { type Failures, parseReportInput, type ReportInput } from '../../report/model.js';
import { buildWeeklyReport } from '../../report/workbook.js';
import type { UpstreamFailures } from '../stage-input.js';
import { defineStage, type StageContext } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { cacheHitsOfRun, lineageRows, nodesByArtefact, upstreamManifests } from './support/lineage.js';
import { pretrainingHistories } from './swav/pretrain-history.js';

const configKey = (m: EvalMetricsFile) => `${m.backbone}|${m.mode}|${m.fraction}`;

function groupResults(evals: EvalMetricsFile[]): ReportInput['results'] {
  const groups = new Map<string, EvalMetricsFile[]>();
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
        iterations: r.iterations,
        trainMs: r.trainMs,
        perClass: r.perClass,
        confusion: r.confusion,
      })),
  }));
}

type ReportInputs = StageContext<typeof reportStage>['inputs'];
type EvaluationInput = NonNullable<ReportInputs[`eval/${string}`]>;

/** The run's evaluations: every `eval/<node>` input that exists (a failed branch leaves its own out). */
function evaluationInputs(inputs: ReportInputs): EvaluationInput[] {
  return Object.entries(inputs).flatMap(([name, input]) =>
    name.startsWith('eval/') && input ? [input as EvaluationInput] : [],
  );
}

/** The configuration with the best mean accuracy; its lowest seed's head predicts the shelf share. */
function bestEvaluation(evals: { metrics: EvalMetricsFile; input: EvaluationInput }[]) {
  const mean = (k: string) => {
    const xs = evals.filter((e) => configKey(e.metrics) === k).map((e) => e.metrics.accuracy);
    return xs.reduce((s, x) => s + x, 0) / xs.length;
  };
  const best = [...new Set(evals.map((e) => configKey(e.metrics)))].sort((a, b) => mean(b) - mean(a))[0];
  return evals
    .filter((e) => configKey(e.metrics) === best)
    .sort((a, b) => a.metrics.seed - b.metrics.seed)[0];
}

function examples(reasons: Record<string, ReasonFile>) {
  return Object.fromEntries(
    Object.entries(reasons)
      .filter(([, r]) => r.count > 0)
      .map(([reason, r]) => [
        reason,
        { count: r.count, examples: r.examples.map((e) => `${e.file}:${e.line}: ${e.detail}`) },
      ]),
  );
}

/** The report's failed section: each failed node with the command that re-runs its stage in this run. */
function failuresOfRun(runId: string, upstream: UpstreamFailures): Failures {
  return {
    failed: upstream.failed.map((f) => ({ ...f, rerun: `shelfssl rerun ${runId} --stage ${f.stage}` })),
    missing: upstream.missing,
  };
}

export const report = defineStage({
  def: reportStage,
  async run(ctx, params) {
    const evals = [];
    for (const input of evaluationInputs(ctx.inputs))
      evals.push({ input, metrics: await readInputJson(input, 'metrics.json') });
    const best = bestEvaluation(evals);
    const shelf = best ? await readInputJson(best.input, 'shelf-counts.json') : undefined;
    const ingest = await readInputJson(ctx.inputs.ingest, 'ingest-report.json');
    const crop = await readInputJson(ctx.inputs.crops, 'crop-report.json');
    const crops = { labelled: crop.labelled, unlabelled: crop.unlabelled, test: crop.test };
    const manifests = await upstreamManifests(
      ctx.bucket,
      Object.values(ctx.inputs).flatMap((i) => (i ? [i.ref] : [])),
    );
    const hits = cacheHitsOfRun(ctx.upstreamCacheHits);
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
      lineage: lineageRows(manifests, hits, nodesByArtefact(ctx.upstreamNodes)),
      ...(ctx.upstreamFailures ? { failures: failuresOfRun(params.runId, ctx.upstreamFailures) } : {}),
      pretraining: pretrainingHistories(evals, manifests),
    });
    await ctx.writer.putJson('report-input.json', input);
    await ctx.writer.putBuffer('report.xlsx', await buildWeeklyReport(input));
    return {
      metrics: {
        results: input.results.length,
        evaluations: evals.length,
        lineage: input.lineage.length,
        missing: input.failures?.missing.length ?? 0,
      },
    };
  },
});
