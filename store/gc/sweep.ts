import type { Bucket } from '../artefacts.js';
import type { Unit } from './units.js';

/** Deletes each unit, its manifest first: a half-deleted artefact then reads as absent, never as published. */
export async function sweepUnits(b: Bucket, units: readonly Unit[]): Promise<void> {
  for (const u of units) {
    const names = u.objects.map((o) => o.name);
    const manifests = names.filter((n) => n.endsWith('/manifest.json') || n.endsWith('/latest.json'));
    if (manifests.length > 0) await b.s3.removeObjects(b.bucket, manifests);
    const rest = names.filter((n) => !manifests.includes(n));
    if (rest.length > 0) await b.s3.removeObjects(b.bucket, rest);
  }
}
