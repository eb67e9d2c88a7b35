import type { Bucket } from '../artefacts.js';
import type { UnitId } from './refs.js';

/** What gc sweeps: artefacts (`artefacts/<stage>/<key>/…`) and checkpoints (`checkpoints/<stage>/<key>/…`). */
export type UnitKind = 'artefacts' | 'checkpoints';

export interface StoreObject {
  name: string;
  size: number;
  lastModified: Date;
}

export interface Unit {
  kind: UnitKind;
  id: UnitId;
  objects: StoreObject[];
  bytes: number;
  /** The newest object's time: a unit with any young object may still be being written. */
  newest: Date;
}

/** Every unit of one kind, by id; objects outside the `<kind>/<stage>/<key>/` layout are left alone. */
export async function listUnits(b: Bucket, kind: UnitKind): Promise<Map<UnitId, Unit>> {
  const units = new Map<UnitId, Unit>();
  for await (const item of b.s3.listObjectsV2(b.bucket, `${kind}/`, true)) {
    if (typeof item.name !== 'string') continue;
    const [, stage, key, ...rest] = item.name.split('/');
    if (!stage || !key || rest.length === 0) continue;
    const id = `${stage}/${key}`;
    const lastModified = item.lastModified ?? new Date(0);
    const o: StoreObject = { name: item.name, size: item.size ?? 0, lastModified };
    const u = units.get(id);
    if (!u) units.set(id, { kind, id, objects: [o], bytes: o.size, newest: lastModified });
    else {
      u.objects.push(o);
      u.bytes += o.size;
      if (lastModified > u.newest) u.newest = lastModified;
    }
  }
  return units;
}

/** Bytes under each top-level prefix of the bucket (`shelfssl status`). */
export async function storeUsage(b: Bucket): Promise<{ total: number; byPrefix: Record<string, number> }> {
  const byPrefix: Record<string, number> = {};
  let total = 0;
  for await (const item of b.s3.listObjectsV2(b.bucket, '', true)) {
    if (typeof item.name !== 'string') continue;
    const top = item.name.split('/')[0] ?? '';
    byPrefix[top] = (byPrefix[top] ?? 0) + (item.size ?? 0);
    total += item.size ?? 0;
  }
  return { total, byPrefix };
}
