import type { EvalMetricsFile } from '../../pipelines/artefacts/evaluate-metrics-file.js';
import type { ReasonFile } from '../../pipelines/artefacts/ingest-report-file.js';
import { reportStage } from '../../pipelines/stages.js';
import { type Failures, parseReportInput, type ReportInput } from '../../report/model.js';
import type { Weekly } from '../../report/weekly.js';
import { buildWeeklyReport } from '../../report/workbook.js';
import type { UpstreamFailures } from '../stage-input.js';
import { defineStage, type StageContext } from '../stage-types.js';
import { readInputJson } from './support/artefact-files.js';
import { labelledSplits, readBoxLabels } from './support/box-labels.js';
import { challengerModel, decideChampion } from './support/champion.js';
import { readCropPoolIndex } from './support/crop-pool.js';
import { cacheHitsOfRun, lineageRows, nodesByArtefact, upstreamManifests } from './support/lineage.js';
import { recordWeek } from './support/weekly-history.js';
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

/** The run's annotation suggestions (its first `suggest/<node>` input), without the image sizes. */
async function suggestionsOfRun(inputs: ReportInputs) {
  const input = Object.entries(inputs).find(([name, i]) => name.startsWith('suggest/') && i)?.[1];
  if (!input) return undefined;
  const { classes: _classes, ...file } = await readInputJson(
    input as NonNullable<ReportInputs[`suggest/${string}`]>,
    'suggestions.json',
  );
  return file;
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

/** Share of predicted facings per class over every image. */
function shelfShareTotals(
  counts: Record<string, number[]>,
  classes: readonly string[],
): Record<string, number> {
  const totals = classes.map((_, c) => Object.values(counts).reduce((s, row) => s + (row[c] ?? 0), 0));
  const all = totals.reduce((s, n) => s + n, 0);
  return Object.fromEntries(classes.map((cls, c) => [cls, all === 0 ? 0 : (totals[c] ?? 0) / all]));
}

/**
 * A scheduled run's weekly section: champion/challenger on the best configuration, then this run recorded
 * in its series and compared with the previous one. Ad-hoc runs (no ISO week) touch neither.
 */
async function weeklySection(
  ctx: StageContext<typeof reportStage>,
  params: {
    runId: string;
    isoWeek: string | null;
    series: string | null;
    champion: { alias: string; margin: number } | null;
  },
  best: ReturnType<typeof bestEvaluation>,
  results: ReportInput['results'],
  shelf: { classes: string[]; counts: Record<string, number[]> } | undefined,
): Promise<Weekly | undefined> {
  if (params.isoWeek === null) return undefined;
  const challenger = best ? await challengerModel(ctx, params.runId, best.input, best.metrics) : undefined;
  const champion =
    params.champion && challenger
      ? await decideChampion(ctx, params.champion, challenger, params.isoWeek)
      : null;
  const accuracy = Object.fromEntries(
    results.map((r) => [
      `${r.backbone}/${r.headMode}/${r.fractionPct}`,
      r.seeds.reduce((s, x) => s + x.accuracy, 0) / r.seeds.length,
    ]),
  );
  const now = champion
    ? champion.promoted
      ? champion.challenger.model
      : (champion.champion?.model ?? null)
    : null;
  const vsLastWeek = params.series
    ? await recordWeek(ctx.bucket, params.series, {
        runId: params.runId,
        week: params.isoWeek,
        accuracy,
        shelfShare: shelf ? shelfShareTotals(shelf.counts, shelf.classes) : {},
        champion: now,
      })
    : null;
  return { champion, vsLastWeek };
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
    const splits = await labelledSplits(
      (await readCropPoolIndex(ctx.inputs.crops, ctx.scratchDir)).entries(),
      await readBoxLabels(ctx.inputs.ingest),
    );
    const labelled = splits.train.length + splits.test.length;
    const crops = { labelled, unlabelled: crop.crops - labelled, test: splits.test.length };
    const manifests = await upstreamManifests(
      ctx.bucket,
      Object.values(ctx.inputs).flatMap((i) => (i ? [i.ref] : [])),
    );
    const hits = cacheHitsOfRun(ctx.upstreamCacheHits);
    const suggestions = await suggestionsOfRun(ctx.inputs);
    const results = groupResults(evals.map((e) => e.metrics));
    const weekly = await weeklySection(ctx, params, best, results, shelf);
    const input = parseReportInput({
      runId: params.runId,
      title: params.title,
      generatedAt: new Date().toISOString(),
      ...(params.isoWeek ? { weekLabel: params.isoWeek } : {}),
      classNames: params.classes,
      results,
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
      ...(suggestions ? { suggestions } : {}),
      ...(weekly ? { weekly } : {}),
      ...(params.backboneRoles ? { backboneRoles: params.backboneRoles } : {}),
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
