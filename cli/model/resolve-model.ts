import type { Client } from '@temporalio/client';
import { z } from 'zod';
import { UsageError } from '../../config/errors.js';
import { IMAGENET_NORMALIZATION } from '../../ml/models/extract-features.js';
import { cropStage, HeadMode } from '../../pipelines/stages.js';
import { type ModelConfig, type ResolvedModel, ResolvedModelSchema, readAlias } from '../../store/aliases.js';
import type { ArtefactRef } from '../../store/artefact-schema.js';
import { type Bucket, readArtefactFile, readManifest } from '../../store/artefacts.js';
import type { PipelineRunResult } from '../../workflows/run-result.js';
import { finishedRunResult } from '../commands/report/download-report.js';

/** `<alias|runId>[/backbone/head/fraction[/seed]]`, as typed on the command line. */
export interface ModelSpec {
  id: string;
  config?: { backbone: string; mode: z.infer<typeof HeadMode>; fraction: number; seed?: number };
}

const SPEC_HELP =
  'give <alias|runId> or <runId>/<backbone>/<head>/<fraction>[/<seed>], e.g. production or ' +
  'paper-20261130-060000-1a2b3c4d/swav/supervised/10/1';

export function parseModelSpec(text: string): ModelSpec {
  const [id, ...rest] = text.split('/');
  if (!id) throw new UsageError(`model "${text}": ${SPEC_HELP}`);
  if (rest.length === 0) return { id };
  if (rest.length < 3 || rest.length > 4) throw new UsageError(`model "${text}": ${SPEC_HELP}`);
  const [backbone, mode, fraction, seed] = rest;
  const parsed = z
    .strictObject({
      backbone: z.string().regex(/^[a-z0-9-]+$/, 'a backbone name of the run, e.g. swav'),
      mode: HeadMode,
      fraction: z.coerce.number().gt(0).max(100),
      seed: z.coerce.number().int().min(1).optional(),
    })
    .safeParse({ backbone, mode, fraction: fraction?.replace(/pct$/, ''), seed: seed?.replace(/^seed/, '') });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`model "${text}": ${issue.path.join('.')}: ${issue.message}; ${SPEC_HELP}`);
  }
  const { seed: s, ...config } = parsed.data;
  return { id, config: { ...config, ...(s === undefined ? {} : { seed: s }) } };
}

/** One trained configuration of a run: its head and evaluation nodes and the evaluation's test metrics. */
export interface RunConfiguration {
  config: ModelConfig;
  head: ArtefactRef;
  evaluation: ArtefactRef | undefined;
  accuracy: number | undefined;
  macroF1: number | undefined;
  testSize: number | undefined;
}

const HEAD_NODE = /^head@([a-z0-9-]+)\/([a-z-]+)\/([\d.]+)pct\/seed(\d+)$/;
const EvalManifestMetrics = z.looseObject({
  accuracy: z.number(),
  macroF1: z.number(),
  testSize: z.number().int(),
});

export function configLabel(c: Pick<ModelConfig, 'backbone' | 'mode' | 'fraction'>): string {
  return `${c.backbone}/${c.mode}/${c.fraction}`;
}

/** Every head the run produced, with its test accuracy (from the evaluation's manifest). */
export async function runConfigurations(b: Bucket, result: PipelineRunResult): Promise<RunConfiguration[]> {
  const out: RunConfiguration[] = [];
  for (const [id, head] of Object.entries(result.refs)) {
    const m = HEAD_NODE.exec(id);
    if (!m) continue;
    const config = { backbone: m[1]!, mode: m[2]!, fraction: Number(m[3]), seed: Number(m[4]) };
    const evaluation = result.refs[id.replace(/^head@/, 'eval@')];
    const manifest = evaluation ? await readManifest(b, evaluation.stage, evaluation.key) : undefined;
    const metrics = EvalManifestMetrics.safeParse(manifest?.metrics);
    out.push({
      config,
      head,
      evaluation,
      accuracy: metrics.success ? metrics.data.accuracy : undefined,
      macroF1: metrics.success ? metrics.data.macroF1 : undefined,
      testSize: metrics.success ? metrics.data.testSize : undefined,
    });
  }
  return out;
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
}

/**
 * The configuration to use when none is named: backbone/head/fraction with the best mean test accuracy over
 * seeds, then that configuration's seed with the best accuracy. With `want`, only matching heads compete.
 */
export function chooseConfiguration(
  all: readonly RunConfiguration[],
  want?: ModelSpec['config'],
): RunConfiguration | undefined {
  const matching = all.filter(
    (c) =>
      c.accuracy !== undefined &&
      (!want ||
        (c.config.backbone === want.backbone &&
          c.config.mode === want.mode &&
          c.config.fraction === want.fraction &&
          (want.seed === undefined || c.config.seed === want.seed))),
  );
  const byLabel = new Map<string, RunConfiguration[]>();
  for (const c of matching)
    byLabel.set(configLabel(c.config), [...(byLabel.get(configLabel(c.config)) ?? []), c]);
  let best: RunConfiguration[] | undefined;
  for (const group of byLabel.values())
    if (!best || mean(group.map((g) => g.accuracy!)) > mean(best.map((g) => g.accuracy!))) best = group;
  return best?.reduce((a, c) => (c.accuracy! > a.accuracy! ? c : a));
}

/** The run's crop artefact says how crops were cut (size and padding, from its params). */
async function cropGeometry(b: Bucket, crop: ArtefactRef) {
  const manifest = await readManifest(b, crop.stage, crop.key);
  if (!manifest) throw new Error(`crop artefact ${crop.key} is gone from the store; re-run the pipeline`);
  const params = cropStage.params.parse(manifest.params);
  return { cropSize: params.cropSize, padding: params.padding };
}

/** The class names, from the run's ingest artefact (crops are label-blind and carry none). */
async function runClasses(b: Bucket, ingest: ArtefactRef): Promise<string[]> {
  const manifest = await readManifest(b, ingest.stage, ingest.key);
  if (!manifest) throw new Error(`ingest artefact ${ingest.key} is gone from the store; re-run the pipeline`);
  return z
    .looseObject({ classes: z.array(z.string()).min(2) })
    .parse(JSON.parse((await readArtefactFile(b, manifest, 'boxes.json')).toString('utf8'))).classes;
}

/** The model of one configuration of a finished run, with everything `predict` and `export` need. */
export async function modelOfRun(
  b: Bucket,
  runId: string,
  result: PipelineRunResult,
  want?: ModelSpec['config'],
): Promise<ResolvedModel> {
  const configs = await runConfigurations(b, result);
  const chosen = chooseConfiguration(configs, want);
  if (!chosen) {
    const have = [...new Set(configs.map((c) => configLabel(c.config)))].join(', ') || 'none';
    const asked = want ? ` matching ${configLabel(want)}${want.seed ? `/${want.seed}` : ''}` : '';
    throw new UsageError(`run ${runId} has no evaluated head${asked} (configurations: ${have})`);
  }
  const backbone = result.refs[`backbone@${chosen.config.backbone}`];
  const crop = result.refs.crop;
  const ingest = result.refs.ingest;
  if (!backbone || !crop || !ingest)
    throw new Error(`run ${runId}: no backbone@${chosen.config.backbone}, crop or ingest artefact`);
  const geometry = await cropGeometry(b, crop);
  const classes = await runClasses(b, ingest);
  return ResolvedModelSchema.parse({
    runId,
    config: chosen.config,
    backbone,
    head: chosen.head,
    crop,
    ...(chosen.evaluation ? { evaluation: chosen.evaluation } : {}),
    ...geometry,
    classes,
    normalization: IMAGENET_NORMALIZATION,
    ...(chosen.accuracy !== undefined
      ? {
          metrics: {
            accuracy: chosen.accuracy,
            macroF1: chosen.macroF1 ?? 0,
            testSize: chosen.testSize ?? 0,
          },
        }
      : {}),
  });
}

/**
 * Turns `<alias|runId>[/backbone/head/fraction[/seed]]` into the model to use: an alias's current value, or a
 * run's named (else best) configuration, read from the run's result and its artefacts' manifests.
 */
export async function resolveModel(
  client: Client,
  b: Bucket,
  text: string,
): Promise<ResolvedModel & { alias?: string }> {
  const spec = parseModelSpec(text);
  if (!spec.config) {
    const alias = await readAlias(b, spec.id);
    if (alias) return { ...alias.current.model, alias: spec.id };
  }
  let result: PipelineRunResult;
  try {
    result = await finishedRunResult(client, spec.id);
  } catch (err) {
    if ((err as Error).name === 'WorkflowNotFoundError' || /not found/i.test((err as Error).message))
      throw new UsageError(`model "${text}": no alias and no run named ${spec.id}`);
    throw err;
  }
  return await modelOfRun(b, spec.id, result, spec.config);
}
