import { z } from 'zod';
import type { Bucket } from './artefacts.js';
import { isNotFound, readObject } from './s3.js';

/**
 * A lease per (stage, cache key): two runs of the same config at once compute each stage once, the second
 * waits for the first's artefact. Taken with an S3 conditional write (`If-None-Match: *`, atomic on MinIO
 * and S3), renewed while the stage runs, released when it ends; a holder that stops renewing (a killed
 * worker) loses it after STALE_MS, so a crash never blocks a key for longer.
 */
export const LEASE_RENEW_MS = 10_000;
export const LEASE_STALE_MS = 60_000;

const HolderSchema = z.strictObject({
  workflowId: z.string(),
  nodeId: z.string(),
  renewedAt: z.number(),
});
export type LeaseHolder = z.infer<typeof HolderSchema>;

export function leaseKey(stage: string, cacheKey: string): string {
  return `leases/${stage}/${cacheKey}.json`;
}

function isPreconditionFailed(err: unknown): boolean {
  const e = err as { code?: string; statusCode?: number };
  return e.code === 'PreconditionFailed' || e.statusCode === 412;
}

async function readHolder(b: Bucket, key: string): Promise<LeaseHolder | undefined> {
  try {
    const parsed = HolderSchema.safeParse(JSON.parse((await readObject(b.s3, b.bucket, key)).toString()));
    // An unreadable lease is treated as stale: it can only come from a crash mid-write or a foreign object.
    return parsed.success ? parsed.data : { workflowId: '?', nodeId: '?', renewedAt: 0 };
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

async function write(b: Bucket, key: string, holder: LeaseHolder, onlyIfAbsent: boolean): Promise<boolean> {
  const body = Buffer.from(JSON.stringify(holder));
  try {
    await b.s3.putObject(b.bucket, key, body, body.length, {
      'Content-Type': 'application/json',
      ...(onlyIfAbsent ? { 'If-None-Match': '*' } : {}),
    });
    return true;
  } catch (err) {
    if (onlyIfAbsent && isPreconditionFailed(err)) return false;
    throw err;
  }
}

export type LeaseAttempt =
  | { held: true; release: () => Promise<void> }
  | { held: false; holder: LeaseHolder };

/**
 * Takes the lease, or says who holds it. The same node of the same run (a retried attempt) takes it back;
 * a stale lease is taken over.
 */
export async function tryLease(
  b: Bucket,
  stage: string,
  cacheKey: string,
  me: Omit<LeaseHolder, 'renewedAt'>,
  now: () => number = Date.now,
): Promise<LeaseAttempt> {
  const key = leaseKey(stage, cacheKey);
  let taken = await write(b, key, { ...me, renewedAt: now() }, true);
  if (!taken) {
    const holder = await readHolder(b, key);
    const mine = holder?.workflowId === me.workflowId && holder.nodeId === me.nodeId;
    const stale = holder === undefined || now() - holder.renewedAt > LEASE_STALE_MS;
    if (!mine && !stale && holder) return { held: false, holder };
    if (stale && !mine) await b.s3.removeObject(b.bucket, key).catch(() => {});
    taken = mine
      ? await write(b, key, { ...me, renewedAt: now() }, false)
      : await write(b, key, { ...me, renewedAt: now() }, true);
    if (!taken) {
      const winner = await readHolder(b, key);
      return { held: false, holder: winner ?? { ...me, workflowId: '?', renewedAt: now() } };
    }
  }
  const renew = setInterval(() => {
    write(b, key, { ...me, renewedAt: now() }, false).catch(() => {});
  }, LEASE_RENEW_MS);
  return {
    held: true,
    async release() {
      clearInterval(renew);
      await b.s3.removeObject(b.bucket, key).catch(() => {});
    },
  };
}
