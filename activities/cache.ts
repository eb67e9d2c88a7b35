import { ApplicationFailure } from '@temporalio/activity';
import { z } from 'zod';
import { formatZodError } from '../config/errors.js';
import { DagNodeSchema, validateDag } from '../pipelines/dag.js';
import { type ArtefactRef, ArtefactRefSchema } from '../store/artefact-schema.js';
import { ArtefactCorruptError, bucketOf, readManifest, verifyManifest } from '../store/artefacts.js';
import { cacheKey } from '../store/cache-key.js';
import type { ActivityDeps } from './deps.js';
import { type CacheLookupInput, CacheLookupInputSchema, type CacheLookupResult } from './stage-input.js';

const ResolveInputSchema = z.strictObject({
  nodes: z.array(DagNodeSchema),
  external: z.record(z.string(), ArtefactRefSchema),
  forced: z.array(z.string()),
});
export type ResolveCachedInput = z.infer<typeof ResolveInputSchema>;
export interface CacheHit {
  ref: ArtefactRef;
  producedInMs: number;
}

/** Stage name -> code identity digest of this worker's build (activities/stage-code.ts). */
export type StageCodeIdentities = Readonly<Record<string, string>>;

export function nodeCacheKey(input: Omit<CacheLookupInput, 'force'>, codeIdentity: string): string {
  return cacheKey({
    stage: input.node.stage,
    codeVersion: input.node.codeVersion,
    codeIdentity,
    params: input.node.params,
    inputDigests: Object.fromEntries(Object.entries(input.inputs).map(([k, r]) => [k, r.digest])),
  });
}

function codeIdentityOf(codes: StageCodeIdentities, stage: string): string {
  const code = codes[stage];
  if (code === undefined) {
    throw ApplicationFailure.nonRetryable(
      `stage ${stage} is not registered on this worker, so its code identity (part of the cache key) is ` +
        'unknown: run workers that register every stage of the plan',
    );
  }
  return code;
}

/** Asks the artefact store whether this node's output already exists and verifies. */
export function cacheActivities(deps: ActivityDeps, codes: StageCodeIdentities) {
  const bucket = bucketOf(deps.settings, deps.s3);
  return {
    /**
     * Walks the plan in topological order and returns every node whose output is already published and
     * verifies, given refs for its inputs: one activity instead of one lookup per node, so a cached re-run
     * of a large sweep costs seconds. Forced nodes, and nodes downstream of a miss, are left to the executor.
     */
    async resolveCachedNodes(raw: unknown): Promise<Record<string, CacheHit>> {
      const parsed = ResolveInputSchema.safeParse(raw);
      if (!parsed.success)
        throw ApplicationFailure.nonRetryable(formatZodError(parsed.error, 'resolveCachedNodes input'));
      const { nodes, external, forced } = parsed.data;
      const known: Record<string, ArtefactRef> = { ...external };
      const hits: Record<string, CacheHit> = {};
      const forcedSet = new Set(forced);
      for (const id of validateDag(nodes, new Set(Object.keys(external)))) {
        const node = nodes.find((n) => n.id === id)!;
        if (forcedSet.has(id) || known[id]) continue;
        const deps = Object.entries(node.inputs);
        if (!deps.every(([, d]) => known[d])) continue;
        const inputs = Object.fromEntries(deps.map(([name, d]) => [name, known[d]!]));
        const key = nodeCacheKey({ node, inputs }, codeIdentityOf(codes, node.stage));
        const manifest = await readManifest(bucket, node.stage, key).catch(() => undefined);
        if (!manifest || !(await verifyManifest(bucket, manifest)).ok) continue;
        known[id] = { stage: node.stage, key, digest: manifest.digest };
        hits[id] = { ref: known[id]!, producedInMs: manifest.timings.durationMs };
      }
      return hits;
    },

    async lookupCache(raw: unknown): Promise<CacheLookupResult> {
      const parsed = CacheLookupInputSchema.safeParse(raw);
      if (!parsed.success)
        throw ApplicationFailure.nonRetryable(formatZodError(parsed.error, 'lookupCache input'));
      const input = parsed.data;
      const key = nodeCacheKey(input, codeIdentityOf(codes, input.node.stage));
      if (input.force) return { status: 'miss', cacheKey: key, reason: 'forced' };
      try {
        const manifest = await readManifest(bucket, input.node.stage, key);
        if (!manifest) return { status: 'miss', cacheKey: key, reason: 'absent' };
        const check = await verifyManifest(bucket, manifest);
        if (!check.ok)
          return { status: 'miss', cacheKey: key, reason: `corrupt: ${check.problems.join('; ')}` };
        return {
          status: 'hit',
          cacheKey: key,
          ref: { stage: manifest.stage, key, digest: manifest.digest },
          producedInMs: manifest.timings.durationMs,
        };
      } catch (err) {
        if (err instanceof ArtefactCorruptError)
          return { status: 'miss', cacheKey: key, reason: `corrupt: ${err.message}` };
        throw err;
      }
    },
  };
}
