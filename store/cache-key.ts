import { canonicalJson, sha256 } from './digest.js';

export interface CacheKeyParts {
  stage: string;
  /** The hand-bumped semantic version (for changes no code shows, e.g. in data read at run time). */
  codeVersion: number;
  /** The digest of the stage's module graph and package versions (store/code-identity.ts). */
  codeIdentity: string;
  params: unknown;
  inputDigests: Record<string, string>;
}

/** Same stage code + same params + same input contents => same key (Flyte/DVC style). */
export function cacheKey(parts: CacheKeyParts): string {
  return sha256(
    canonicalJson({
      stage: parts.stage,
      v: parts.codeVersion,
      code: parts.codeIdentity,
      params: parts.params,
      inputs: parts.inputDigests,
    }),
  );
}

/**
 * An artefact's digest covers its content only (file names + file digests), not timings, so a
 * deterministic recompute yields the same digest and downstream cache entries stay valid.
 */
export function artefactDigest(files: { name: string; sha256: string }[]): string {
  const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return sha256(canonicalJson(sorted.map((f) => [f.name, f.sha256])));
}

export function artefactPrefix(stage: string, key: string): string {
  return `artefacts/${stage}/${key}`;
}
