import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { StageFailure } from '../../stage-failure.js';
import { type DatasetLocation, parseLocation } from './dataset-location.js';

/** The folder itself when it exists (links followed), else its lexical absolute path. */
async function realOrResolved(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    return path.resolve(p);
  }
}

function within(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
}

/** True when `loc` lies in one of `roots` (local roots compared after resolving links on both sides). */
export async function isUnderDataRoot(loc: DatasetLocation, roots: readonly string[]): Promise<boolean> {
  if (loc.kind === 's3') {
    const key = `s3://${loc.bucket}/${loc.prefix}`;
    return roots.some((r) => r.startsWith('s3://') && key.startsWith(r.endsWith('/') ? r : `${r}/`));
  }
  const target = await realOrResolved(loc.dir);
  for (const root of roots.filter((r) => !r.startsWith('s3://'))) {
    if (within(await realOrResolved(root), target)) return true;
  }
  return false;
}

/**
 * Parses a dataset or model location from a workflow input and refuses it unless it lies under one of the
 * worker's data roots: the workflow input comes from any Temporal client, the worker's files are its own.
 */
export async function allowedLocation(
  ctx: { dataRoots: readonly string[] },
  location: string,
  field: string,
): Promise<DatasetLocation> {
  const loc = parseLocation(location);
  if (await isUnderDataRoot(loc, ctx.dataRoots)) return loc;
  throw new StageFailure(
    `${field} ${location} is outside this worker's data roots (${ctx.dataRoots.join(', ')}): move the data ` +
      'there, or add its folder (or s3://bucket/prefix) to SHELFSSL_DATA_ROOTS on every worker',
  );
}
