import type { Bucket } from '../artefacts.js';
import { readObject } from '../s3.js';
import { refsIn, type UnitId } from './refs.js';

/**
 * Every artefact an alias file names, current value and history (a rollback needs the old model). Read as
 * plain JSON, not verified: for keeping things, an unsigned alias is as good a reason as a signed one.
 */
export async function aliasRoots(b: Bucket): Promise<{ roots: Set<UnitId>; aliases: string[] }> {
  const roots = new Set<UnitId>();
  const aliases: string[] = [];
  for await (const item of b.s3.listObjectsV2(b.bucket, 'aliases/', true)) {
    if (typeof item.name !== 'string' || !item.name.endsWith('.json')) continue;
    aliases.push(item.name.slice('aliases/'.length, -'.json'.length));
    refsIn(JSON.parse((await readObject(b.s3, b.bucket, item.name)).toString('utf8')), roots);
  }
  return { roots, aliases };
}
