import { ApplicationFailure } from '@temporalio/activity';
import { formatZodError } from '../config/errors.js';
import { ArtefactCorruptError, readManifest, verifyManifest } from '../store/artefacts.js';
import { cacheKey } from '../store/cache-key.js';
import type { ActivityDeps } from './deps.js';
import { type CacheLookupInput, CacheLookupInputSchema, type CacheLookupResult } from './stage-input.js';

export function nodeCacheKey(input: CacheLookupInput): string {
  return cacheKey({
    stage: input.node.stage,
    codeVersion: input.node.codeVersion,
    params: input.node.params,
    inputDigests: Object.fromEntries(Object.entries(input.inputs).map(([k, r]) => [k, r.digest])),
  });
}

/** Asks the artefact store whether this node's output already exists and verifies. */
export function cacheActivities(deps: ActivityDeps) {
  const bucket = { s3: deps.s3, bucket: deps.bucket };
  return {
    async lookupCache(raw: unknown): Promise<CacheLookupResult> {
      const parsed = CacheLookupInputSchema.safeParse(raw);
      if (!parsed.success)
        throw ApplicationFailure.nonRetryable(formatZodError(parsed.error, 'lookupCache input'));
      const input = parsed.data;
      const key = nodeCacheKey(input);
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
