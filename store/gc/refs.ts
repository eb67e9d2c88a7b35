import { ArtefactRefSchema } from '../artefact-schema.js';

/** An artefact's address in the store: `<stage>/<cacheKey>`. */
export type UnitId = string;

export const unitOf = (ref: { stage: string; key: string }): UnitId => `${ref.stage}/${ref.key}`;

/**
 * Every artefact ref anywhere in a value (a run's result or live state, a failure's partial result, an alias
 * file): gc roots need no schema per source, only what each of them points at.
 */
export function refsIn(value: unknown, out: Set<UnitId> = new Set(), depth = 0): Set<UnitId> {
  if (value === null || typeof value !== 'object' || depth > 50) return out;
  if (Array.isArray(value)) {
    for (const v of value) refsIn(v, out, depth + 1);
    return out;
  }
  const ref = ArtefactRefSchema.safeParse(value);
  if (ref.success) out.add(unitOf(ref.data));
  else for (const v of Object.values(value)) refsIn(v, out, depth + 1);
  return out;
}
