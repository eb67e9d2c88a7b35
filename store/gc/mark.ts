import type { Bucket } from '../artefacts.js';
import { readManifest } from '../artefacts.js';
import { type UnitId, unitOf } from './refs.js';

/**
 * The closure of `roots` through manifests' input refs: everything a kept artefact was built from. A root
 * whose manifest is missing or unreadable is still marked (its files, if any, stay), and its inputs unknown.
 */
export async function markReachable(b: Bucket, roots: Iterable<UnitId>): Promise<Set<UnitId>> {
  const marked = new Set<UnitId>();
  const queue = [...roots];
  while (queue.length > 0) {
    const id = queue.pop() as UnitId;
    if (marked.has(id)) continue;
    marked.add(id);
    const slash = id.indexOf('/');
    const manifest = await readManifest(b, id.slice(0, slash), id.slice(slash + 1)).catch(() => undefined);
    for (const ref of Object.values(manifest?.inputs ?? {})) queue.push(unitOf(ref));
  }
  return marked;
}
