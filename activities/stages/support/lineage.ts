import { PAPER_STAGES } from '../../../pipelines/stages.js';
import type { LineageRow } from '../../../report/model.js';
import type { ArtefactRef, Manifest } from '../../../store/artefact-schema.js';
import { ArtefactCorruptError, type Bucket, readManifest } from '../../../store/artefacts.js';
import { canonicalJson, sha256 } from '../../../store/digest.js';
import type { UpstreamCacheHits } from '../../stage-input.js';
import { StageFailure } from '../../stage-runner.js';
import { PHOTO_STAGES } from './photo-partitions.js';

/**
 * Every artefact upstream of `refs`, found by walking the input references recorded in manifests; the
 * per-photo crop and feature artefacts (thousands at SKU110K size) are left out: their assembling `crop` or
 * `features` artefact stands for them.
 */
export async function upstreamManifests(bucket: Bucket, refs: readonly ArtefactRef[]): Promise<Manifest[]> {
  const seen = new Map<string, Manifest>();
  const queue = [...refs];
  while (queue.length > 0) {
    const ref = queue.shift()!;
    const id = `${ref.stage}/${ref.key}`;
    if (seen.has(id)) continue;
    const m = await readManifest(bucket, ref.stage, ref.key);
    if (!m) throw new ArtefactCorruptError(`lineage: manifest of ${id} is missing`);
    seen.set(id, m);
    queue.push(...Object.values(m.inputs).filter((r) => !PHOTO_STAGES.has(r.stage)));
  }
  return [...seen.values()];
}

/**
 * Which artefacts this run took from the cache (`stage/key`), as the workflow told the stage. Not told means
 * the node is not volatile: a Lineage sheet of all "no" would be wrong, so that fails instead.
 */
export function cacheHitsOfRun(told: UpstreamCacheHits | undefined): Set<string> {
  if (told === undefined)
    throw new StageFailure(
      "lineage: the workflow did not tell this run's cache hits (only volatile nodes are told); " +
        'mark the node `volatile: true` in its pipeline',
    );
  return new Set(told.map((hit) => `${hit.stage}/${hit.key}`));
}

/** Lineage rows follow the pipeline: the order stages are declared in (pipelines/stages.ts). */
const STAGE_ORDER: readonly string[] = PAPER_STAGES.map((s) => s.name);

/** `stage/key` -> the node ids of this run behind that artefact (several nodes may share one). */
export function nodesByArtefact(told: UpstreamCacheHits | undefined): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const n of told ?? [])
    out.set(`${n.stage}/${n.key}`, [...(out.get(`${n.stage}/${n.key}`) ?? []), n.node]);
  return out;
}

export function lineageRows(
  manifests: readonly Manifest[],
  hits: ReadonlySet<string>,
  nodes: ReadonlyMap<string, readonly string[]> = new Map(),
): LineageRow[] {
  return manifests
    .map((m) => ({
      ...(nodes.has(`${m.stage}/${m.cacheKey}`)
        ? { nodes: [...nodes.get(`${m.stage}/${m.cacheKey}`)!].sort() }
        : {}),
      stage: m.stage,
      key: m.cacheKey,
      digest: m.digest,
      codeVersion: String(m.codeVersion),
      paramsHash: sha256(canonicalJson(m.params)).slice(0, 12),
      durationMs: m.timings.durationMs,
      cacheHit: hits.has(`${m.stage}/${m.cacheKey}`),
    }))
    .sort(
      (a, b) => STAGE_ORDER.indexOf(a.stage) - STAGE_ORDER.indexOf(b.stage) || a.key.localeCompare(b.key),
    );
}
