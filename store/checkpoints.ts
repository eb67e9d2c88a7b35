import { z } from 'zod';
import type { Bucket } from './artefacts.js';
import { sha256 } from './digest.js';
import { isNotFound, MAX_MANIFEST_BYTES, readObject } from './s3.js';
import { sign, verifySignature } from './signing.js';

/**
 * Checkpoints of a long stage, scoped by its cache key (same inputs + params => same checkpoints).
 * The blob is written before the `latest` pointer, so a crash between the two leaves the previous one valid.
 */
const LatestSchema = z.strictObject({
  step: z.number().int().nonnegative(),
  key: z.string(),
  sha256: z.string(),
  /** HMAC of the fields above with the workers' key: a planted pointer (or blob) is never resumed from. */
  signature: z.string().optional(),
});
export type CheckpointPointer = z.infer<typeof LatestSchema>;

export function checkpointPrefix(stage: string, cacheKey: string): string {
  return `checkpoints/${stage}/${cacheKey}`;
}

export async function saveCheckpoint(
  b: Bucket,
  stage: string,
  cacheKey: string,
  step: number,
  blob: Uint8Array,
): Promise<CheckpointPointer> {
  const prefix = checkpointPrefix(stage, cacheKey);
  const key = `${prefix}/step-${String(step).padStart(9, '0')}.bin`;
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  await b.s3.putObject(b.bucket, key, buf, buf.length);
  const fields = { step, key, sha256: sha256(buf) };
  const pointer = { ...fields, signature: sign(b.signingKey, 'checkpoint', fields) };
  const body = Buffer.from(JSON.stringify(pointer));
  await b.s3.putObject(b.bucket, `${prefix}/latest.json`, body, body.length);
  return pointer;
}

/** The newest checkpoint that verifies, or undefined to start from scratch. */
export async function loadLatestCheckpoint(
  b: Bucket,
  stage: string,
  cacheKey: string,
): Promise<{ pointer: CheckpointPointer; blob: Buffer } | undefined> {
  let pointer: CheckpointPointer;
  try {
    const raw = await readObject(
      b.s3,
      b.bucket,
      `${checkpointPrefix(stage, cacheKey)}/latest.json`,
      MAX_MANIFEST_BYTES,
    );
    pointer = LatestSchema.parse(JSON.parse(raw.toString('utf8')));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  // The pointer is read from the bucket: it must be ours and name a checkpoint of this very stage run.
  const { signature, ...fields } = pointer;
  if (!verifySignature(b.signingKey, 'checkpoint', fields, signature)) return undefined;
  if (!pointer.key.startsWith(`${checkpointPrefix(stage, cacheKey)}/step-`))
    throw new Error(`checkpoint pointer names ${pointer.key}, outside ${checkpointPrefix(stage, cacheKey)}`);
  const blob = await readObject(b.s3, b.bucket, pointer.key);
  if (sha256(blob) !== pointer.sha256) throw new Error(`checkpoint ${pointer.key} fails its digest check`);
  return { pointer, blob };
}

/** Removes older checkpoint blobs, keeping the newest `keep`. */
export async function pruneCheckpoints(b: Bucket, stage: string, cacheKey: string, keep = 2): Promise<void> {
  const keys: string[] = [];
  const stream = b.s3.listObjectsV2(b.bucket, `${checkpointPrefix(stage, cacheKey)}/step-`, true);
  for await (const item of stream) if (typeof item.name === 'string') keys.push(item.name);
  keys.sort();
  const stale = keys.slice(0, Math.max(0, keys.length - keep));
  if (stale.length > 0) await b.s3.removeObjects(b.bucket, stale);
}

/** Deletes every checkpoint of a stage run (a forced recompute must not resume old work). */
export async function clearCheckpoints(b: Bucket, stage: string, cacheKey: string): Promise<void> {
  const keys: string[] = [];
  for await (const item of b.s3.listObjectsV2(b.bucket, `${checkpointPrefix(stage, cacheKey)}/`, true)) {
    if (typeof item.name === 'string') keys.push(item.name);
  }
  if (keys.length > 0) await b.s3.removeObjects(b.bucket, keys);
}
