import { Context } from '@temporalio/activity';
import type { Bucket } from '../store/artefacts.js';

/** Socket and S3 error codes that mean "the object store is unreachable", not "this stage is wrong". */
const UNREACHABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
  'ServiceUnavailable',
  'SlowDown',
  'XMinioServerNotInitialized',
]);

export function isStorageUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
  }
  return false;
}

/** How long one attempt waits for storage before giving the failure to Temporal's retry policy anyway. */
const DEFAULT_WAIT_MS = 10 * 60_000;

/**
 * Called when an attempt failed because storage is down: waits, heartbeating with the attempt's last
 * progress (the next attempt resumes from it), until the bucket answers again. Without this, retries
 * fire into the outage and a stage's whole retry budget (5 attempts span ~15 s by default) is spent on
 * one storage blip of half a minute. Stops early when the activity is cancelled or times out.
 */
export async function waitForStorage(bucket: Bucket, lastProgress: () => unknown): Promise<void> {
  const ctx = Context.current();
  const waitMs = Number(process.env.SHELFSSL_STORAGE_WAIT_MS ?? DEFAULT_WAIT_MS);
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline && !ctx.cancellationSignal.aborted) {
    ctx.heartbeat(lastProgress());
    try {
      await bucket.s3.bucketExists(bucket.bucket);
      return;
    } catch (err) {
      if (!isStorageUnreachable(err)) return;
    }
    await ctx.sleep(1000).catch(() => undefined);
  }
}
