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

export const StageRunInputSchema = z.strictObject({
  node: DagNodeSchema,
  cacheKey: z.string().regex(/^[0-9a-f]{64}$/),
  inputs: z.record(z.string(), ArtefactRefSchema),
  /** Forced recompute: do not reuse an artefact already published under this key. */
  recompute: z.boolean().default(false),
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
