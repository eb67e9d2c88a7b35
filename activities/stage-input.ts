import { z } from 'zod';
import { DagNodeSchema } from '../pipelines/dag.js';
import { ArtefactRefSchema } from '../store/artefact-schema.js';

export const CacheLookupInputSchema = z.strictObject({
  node: DagNodeSchema,
  inputs: z.record(z.string(), ArtefactRefSchema),
  force: z.boolean(),
});
export type CacheLookupInput = z.infer<typeof CacheLookupInputSchema>;

export type CacheLookupResult =
  | { status: 'hit'; cacheKey: string; ref: z.infer<typeof ArtefactRefSchema>; producedInMs: number }
  | { status: 'miss'; cacheKey: string; reason: string };

/**
 * What a node that runs without some of its (optional) inputs learns about them: the nodes that failed, each
 * once with its error, and which input waited on which of them. Kept small: ids and one message per failure.
 */
export const UpstreamFailuresSchema = z.strictObject({
  failed: z.array(z.strictObject({ node: z.string(), stage: z.string(), error: z.string() })),
  missing: z.array(
    z.strictObject({
      /** The input name, e.g. `eval/swav/supervised/10pct/seed1`. */
      input: z.string(),
      /** The node that would have produced it. */
      node: z.string(),
      /** The failed node(s) it was waiting on. */
      upstream: z.array(z.string()).min(1),
    }),
  ),
});
export type UpstreamFailures = z.infer<typeof UpstreamFailuresSchema>;

/**
 * What a volatile node (one that reports on its run, like the report) learns from the workflow: which of the
 * artefacts upstream of it this run took from the cache. Only the workflow knows; kept small (ids and keys).
 */
export const UpstreamCacheHitsSchema = z.array(
  z.strictObject({
    /** The node whose artefact was a cache hit, e.g. `features@swav`. */
    node: z.string(),
    stage: z.string(),
    /** The artefact's cache key (`artefacts/<stage>/<key>/`). */
    key: z.string(),
  }),
);
export type UpstreamCacheHits = z.infer<typeof UpstreamCacheHitsSchema>;

export const StageRunInputSchema = z.strictObject({
  node: DagNodeSchema,
  cacheKey: z.string().regex(/^[0-9a-f]{64}$/),
  inputs: z.record(z.string(), ArtefactRefSchema),
  /** Forced recompute: do not reuse an artefact already published under this key. */
  recompute: z.boolean().default(false),
  /** Set when optional inputs are missing because their upstream failed. */
  upstreamFailures: UpstreamFailuresSchema.optional(),
  /** Set for volatile nodes only: a cached artefact must not name one run's cache hits in another run. */
  upstreamCacheHits: UpstreamCacheHitsSchema.optional(),
  /** Volatile nodes: every upstream node with its artefact (hit or not), so the report names node ids. */
  upstreamNodes: UpstreamCacheHitsSchema.optional(),
});
export type StageRunInput = z.input<typeof StageRunInputSchema>;

export function stageActivityName(stage: string): string {
  return `stage.${stage}`;
}

/** What a stage activity returns: the artefact reference plus bookkeeping for the run's state. */
export interface StageRunResult {
  ref: z.infer<typeof ArtefactRefSchema>;
  attempt: number;
  reused: boolean;
}
