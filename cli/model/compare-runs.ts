import type { Client } from '@temporalio/client';
import { BoxTableSchema } from '../../pipelines/artefacts/box-table-file.js';
import { EvalMetricsFileSchema } from '../../pipelines/artefacts/evaluate-metrics-file.js';
import { FingerprintFileSchema } from '../../pipelines/artefacts/fingerprint-file.js';
import type { DagPlan } from '../../pipelines/dag.js';
import type { ArtefactRef } from '../../store/artefact-schema.js';
import { type Bucket, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { canonicalJson } from '../../store/digest.js';
import type { PipelineRunResult } from '../../workflows/run-result.js';
import { finishedRunResult } from '../commands/report/download-report.js';
import { originalRunInput } from '../commands/run/rerun-pipeline.js';
import { configLabel, runConfigurations } from './resolve-model.js';

export interface ParamChange {
  node: string;
  key: string;
  a: unknown;
  b: unknown;
}

export interface RunComparison {
  runs: { a: string; b: string };
  params: { onlyA: string[]; onlyB: string[]; changed: ParamChange[] };
  dataset: {
    imagesAdded: string[];
    imagesRemoved: string[];
    imagesChanged: string[];
    labelsAdded: number;
    labelsRemoved: number;
    labelsChanged: number;
  };
  /** Mean test accuracy over seeds per backbone/head/fraction; null where a run lacks it. */
  accuracy: { config: string; a: number | null; b: number | null; delta: number | null }[];
  /** Mean per-class F1 over seeds, per configuration both runs have. */
  perClassF1: { config: string; cls: string; a: number; b: number; delta: number }[];
}

/** key path -> value for every leaf of a params object (arrays are leaves: they change as a whole). */
function leaves(value: unknown, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value))
      for (const e of leaves(v, prefix ? `${prefix}.${k}` : k)) out.set(...e);
  } else out.set(prefix, value);
  return out;
}

export function diffPlans(a: DagPlan, b: DagPlan): RunComparison['params'] {
  const byId = (p: DagPlan) => new Map(p.nodes.map((n) => [n.id, n]));
  const [na, nb] = [byId(a), byId(b)];
  const changed: ParamChange[] = [];
  for (const [id, node] of na) {
    const other = nb.get(id);
    if (!other) continue;
    const [la, lb] = [leaves(node.params), leaves(other.params)];
    for (const key of new Set([...la.keys(), ...lb.keys()]))
      if (canonicalJson(la.get(key) ?? null) !== canonicalJson(lb.get(key) ?? null))
        changed.push({ node: id, key, a: la.get(key) ?? null, b: lb.get(key) ?? null });
  }
  return {
    onlyA: [...na.keys()].filter((id) => !nb.has(id)),
    onlyB: [...nb.keys()].filter((id) => !na.has(id)),
    changed,
  };
}

async function jsonFile(b: Bucket, ref: ArtefactRef | undefined, name: string): Promise<unknown> {
  const manifest = ref ? await readManifest(b, ref.stage, ref.key) : undefined;
  if (!manifest) return undefined;
  return JSON.parse((await readArtefactFile(b, manifest, name)).toString('utf8'));
}

async function datasetOf(b: Bucket, r: PipelineRunResult) {
  const fp = FingerprintFileSchema.safeParse(await jsonFile(b, r.refs.snapshot, 'fingerprint.json'));
  const boxes = BoxTableSchema.safeParse(await jsonFile(b, r.refs.ingest, 'boxes.json'));
  const images = new Map(
    (fp.success ? fp.data.files : [])
      .filter((f) => f.name.startsWith('images/'))
      .map((f) => [f.name.slice('images/'.length), `${f.size}:${f.version}`]),
  );
  const labels = new Map((boxes.success ? boxes.data.labels : []).map((l) => [l.boxId, l.label]));
  return { images, labels };
}

export function diffDatasets(
  a: Awaited<ReturnType<typeof datasetOf>>,
  b: Awaited<ReturnType<typeof datasetOf>>,
): RunComparison['dataset'] {
  const keys = <K, V>(m: Map<K, V>) => [...m.keys()];
  return {
    imagesAdded: keys(b.images).filter((k) => !a.images.has(k)),
    imagesRemoved: keys(a.images).filter((k) => !b.images.has(k)),
    imagesChanged: keys(a.images).filter((k) => b.images.has(k) && b.images.get(k) !== a.images.get(k)),
    labelsAdded: keys(b.labels).filter((k) => !a.labels.has(k)).length,
    labelsRemoved: keys(a.labels).filter((k) => !b.labels.has(k)).length,
    labelsChanged: keys(a.labels).filter((k) => b.labels.has(k) && b.labels.get(k) !== a.labels.get(k))
      .length,
  };
}

const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(1, xs.length);

/** Per configuration: mean accuracy and mean per-class F1 over seeds, from each evaluation's metrics.json. */
async function scoresOf(b: Bucket, r: PipelineRunResult) {
  const perConfig = new Map<string, { acc: number[]; f1: Map<string, number[]> }>();
  for (const c of await runConfigurations(b, r)) {
    const parsed = EvalMetricsFileSchema.safeParse(await jsonFile(b, c.evaluation, 'metrics.json'));
    if (!parsed.success) continue;
    const key = configLabel(c.config);
    const entry = perConfig.get(key) ?? { acc: [] as number[], f1: new Map<string, number[]>() };
    entry.acc.push(parsed.data.accuracy);
    for (const pc of parsed.data.perClass) entry.f1.set(pc.cls, [...(entry.f1.get(pc.cls) ?? []), pc.f1]);
    perConfig.set(key, entry);
  }
  return perConfig;
}

/** Two finished runs side by side: what was run differently, on what data, and how well. */
export async function compareRuns(
  client: Client,
  b: Bucket,
  runA: string,
  runB: string,
): Promise<RunComparison> {
  const [inA, inB] = [await originalRunInput(client, runA), await originalRunInput(client, runB)];
  const [ra, rb] = [await finishedRunResult(client, runA), await finishedRunResult(client, runB)];
  const [sa, sb] = [await scoresOf(b, ra), await scoresOf(b, rb)];
  const configs = [...new Set([...sa.keys(), ...sb.keys()])].sort();
  const accuracy = configs.map((config) => {
    const a = sa.has(config) ? mean(sa.get(config)!.acc) : null;
    const bb = sb.has(config) ? mean(sb.get(config)!.acc) : null;
    return { config, a, b: bb, delta: a !== null && bb !== null ? bb - a : null };
  });
  const perClassF1 = configs.flatMap((config) => {
    const [ea, eb] = [sa.get(config), sb.get(config)];
    if (!ea || !eb) return [];
    return [...ea.f1.keys()]
      .filter((cls) => eb.f1.has(cls))
      .map((cls) => {
        const [a, bb] = [mean(ea.f1.get(cls)!), mean(eb.f1.get(cls)!)];
        return { config, cls, a, b: bb, delta: bb - a };
      });
  });
  return {
    runs: { a: runA, b: runB },
    params: diffPlans(inA.plan, inB.plan),
    dataset: diffDatasets(await datasetOf(b, ra), await datasetOf(b, rb)),
    accuracy,
    perClassF1,
  };
}
