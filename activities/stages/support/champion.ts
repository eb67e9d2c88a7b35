import { predictHead } from '../../../ml/head/index.js';
import { extractFeatures, IMAGENET_NORMALIZATION } from '../../../ml/models/index.js';
import type { EvalMetricsFile } from '../../../pipelines/artefacts/evaluate-metrics-file.js';
import {
  backboneStage,
  cropStage,
  headStage,
  ingestStage,
  pretrainStage,
} from '../../../pipelines/stages.js';
import type { ChampionDecision } from '../../../report/weekly.js';
import { type ResolvedModel, readAlias, setAlias } from '../../../store/aliases.js';
import type { ArtefactRef } from '../../../store/artefact-schema.js';
import { readManifest } from '../../../store/artefacts.js';
import { openArtefact, readInputJson } from '../../artefact-input.js';
import type { LoadedInput, StageContext } from '../../stage-types.js';
import { readBoxLabels } from './box-labels.js';
import { loadCropPool } from './crop-pool.js';
import { loadFrozenBackbone } from './frozen-backbone.js';
import { headFromJson } from './head-file.js';
import { ensureBackend } from './ml-runtime.js';

export interface ChampionSettings {
  alias: string;
  margin: number;
}

/** The run's best configuration as a model: its head, and the backbone and crops behind its features. */
export async function challengerModel(
  ctx: StageContext,
  runId: string,
  evaluation: LoadedInput,
  metrics: EvalMetricsFile,
): Promise<ResolvedModel> {
  const head = evaluation.manifest.inputs.head;
  const features = evaluation.manifest.inputs.features;
  const fm = features ? await readManifest(ctx.bucket, features.stage, features.key) : undefined;
  const backbone = fm?.inputs.backbone;
  const crop = fm?.inputs.crops;
  const cm = crop ? await readManifest(ctx.bucket, crop.stage, crop.key) : undefined;
  if (!head || !backbone || !crop || !cm)
    throw new Error('champion: cannot trace the best head to its backbone and crops');
  const params = cropStage.params.parse(cm.params);
  return {
    runId,
    config: {
      backbone: metrics.backbone,
      mode: metrics.mode,
      fraction: metrics.fraction,
      seed: metrics.seed,
    },
    backbone,
    head,
    crop,
    evaluation: evaluation.ref,
    classes: metrics.classes,
    cropSize: params.cropSize,
    padding: params.padding,
    normalization: IMAGENET_NORMALIZATION,
    metrics: { accuracy: metrics.accuracy, macroF1: metrics.macro.f1, testSize: metrics.testSize },
  };
}

/**
 * The champion's test split: the held-out crops of its crop artefact with the labels its run evaluated on
 * (crops are label-blind, so the labels come from the ingest artefact behind its evaluation).
 */
export interface TestSplit {
  crop: ArtefactRef;
  labels: ArtefactRef;
}

async function testSplitOf(ctx: StageContext, model: ResolvedModel): Promise<TestSplit | undefined> {
  if (!model.evaluation) return undefined;
  const evaluation = await readManifest(ctx.bucket, model.evaluation.stage, model.evaluation.key);
  const labels = evaluation?.inputs.ingest;
  return labels ? { crop: model.crop, labels } : undefined;
}

const sameSplit = (a: TestSplit, b: TestSplit | undefined) =>
  b !== undefined && a.crop.digest === b.crop.digest && a.labels.digest === b.labels.digest;

/** The model's accuracy on another run's test split. */
async function accuracyOnSplit(ctx: StageContext, model: ResolvedModel, split: TestSplit): Promise<number> {
  await ensureBackend();
  const pool = await loadCropPool(
    await openArtefact(ctx.bucket, split.crop, cropStage.outputs),
    ctx.scratchDir,
  );
  const { labelOf } = await readBoxLabels(await openArtefact(ctx.bucket, split.labels, ingestStage.outputs));
  const per = pool.size * pool.size * 3;
  const test = pool.index.entries.flatMap((e, i) => {
    const label = labelOf.get(e.boxId);
    return e.split === 'test' && label !== undefined ? [{ i, label }] : [];
  });
  const pixels = new Uint8Array(test.length * per);
  test.forEach((t, k) => {
    pixels.set(pool.pixels.subarray(t.i * per, (t.i + 1) * per), k * per);
  });
  const backbone = await loadFrozenBackbone(
    await openArtefact(ctx.bucket, model.backbone, backboneOutputs(model.backbone)),
  );
  let features: Float32Array;
  try {
    features = await extractFeatures(
      backbone,
      pixels,
      test.length,
      pool.size,
      pool.size,
      3,
      64,
      undefined,
      model.normalization,
    );
  } finally {
    backbone.dispose();
  }
  const headInput = await openArtefact(ctx.bucket, model.head, headStage.outputs);
  const { labels } = predictHead(headFromJson(await readInputJson(headInput, 'head.json')), features);
  const right = test.filter((t, k) => labels[k] === t.label).length;
  return right / Math.max(1, test.length);
}

function backboneOutputs(ref: ArtefactRef) {
  return ref.stage === pretrainStage.name ? pretrainStage.outputs : backboneStage.outputs;
}

export function modelLabel(m: ResolvedModel): string {
  const c = m.config;
  return `${m.runId}/${c.backbone}/${c.mode}/${c.fraction}/${c.seed}`;
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/**
 * Champion/challenger: the run's best configuration replaces the alias's model only when it beats it on the
 * champion's own test split (the data the champion was judged on) by at least `margin`; else the champion
 * stays. The decision and its reason go into the report; a promotion is recorded in the alias's history.
 */
export async function decideChampion(
  ctx: StageContext,
  settings: ChampionSettings,
  challenger: ResolvedModel,
  week: string,
): Promise<ChampionDecision> {
  const base = { alias: settings.alias, margin: settings.margin };
  const current = await readAlias(ctx.bucket, settings.alias);
  const promote = async (reason: string, accuracy: number, champion: ChampionDecision['champion']) => {
    // A retried attempt of this same run finds its own promotion already done.
    if (
      current?.current.model.head.digest !== challenger.head.digest ||
      current.current.model.runId !== challenger.runId
    )
      await setAlias(ctx.bucket, settings.alias, {
        model: challenger,
        setAt: new Date().toISOString(),
        note: `${week}: ${reason}`,
      });
    return {
      ...base,
      promoted: true,
      reason,
      challenger: { model: modelLabel(challenger), accuracy },
      champion,
    };
  };
  const own = challenger.metrics?.accuracy ?? 0;
  if (!current)
    return await promote(`no ${settings.alias} model yet: the best configuration becomes it`, own, null);
  const champ = current.current.model;
  if (champ.runId === challenger.runId && champ.head.digest === challenger.head.digest)
    return await promote('already promoted by this run', own, { model: modelLabel(champ), accuracy: own });
  const championAccuracy = champ.metrics?.accuracy ?? 0;
  const champion = { model: modelLabel(champ), accuracy: championAccuracy };
  if (champ.classes.join(',') !== challenger.classes.join(','))
    return {
      ...base,
      promoted: false,
      reason: `kept: the classes differ (champion ${champ.classes.join(', ')}; this run ${challenger.classes.join(', ')}); promote by hand if intended`,
      challenger: { model: modelLabel(challenger), accuracy: own },
      champion,
    };
  const split = await testSplitOf(ctx, champ);
  if (!split)
    return {
      ...base,
      promoted: false,
      reason: `kept: the champion ${modelLabel(champ)} records no evaluation to find its test split; promote by hand if intended`,
      challenger: { model: modelLabel(challenger), accuracy: own },
      champion,
    };
  const same = sameSplit(split, await testSplitOf(ctx, challenger));
  const accuracy = same ? own : await accuracyOnSplit(ctx, challenger, split);
  const where = `on the champion's test split (${champ.metrics?.testSize ?? '?'} crops${same ? ', the same as this run' : ''})`;
  if (accuracy >= championAccuracy + settings.margin)
    return await promote(
      `promoted: ${pct(accuracy)} vs the champion's ${pct(championAccuracy)} ${where}, at least the margin ${pct(settings.margin)} better`,
      accuracy,
      champion,
    );
  return {
    ...base,
    promoted: false,
    reason: `kept the champion: this run's best scores ${pct(accuracy)} vs its ${pct(championAccuracy)} ${where}, less than the margin ${pct(settings.margin)} better`,
    challenger: { model: modelLabel(challenger), accuracy },
    champion,
  };
}
