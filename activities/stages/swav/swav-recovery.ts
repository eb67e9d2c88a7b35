import type { CollapseFixKey, FixValue, ResolvedSwavSettings } from '../../../ml/swav/index.js';
import type { Bucket } from '../../../store/artefacts.js';
import { checkpointPrefix } from '../../../store/checkpoints.js';
import { isNotFound, readObject } from '../../../store/s3.js';
import { sign, verifySignature } from '../../../store/signing.js';

export interface FixContext {
  /** Step the retried run restarts from (its prototype freeze counts from here). */
  restartStep: number;
  /** Epochs completed at the restart (a queue switched on by the retry starts here). */
  restartEpoch: number;
  stepsPerEpoch: number;
  /** Unlabelled crops per epoch (bounds a queue). */
  images: number;
}

export interface FixChange {
  key: CollapseFixKey;
  from: FixValue;
  to: FixValue;
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * What each named fix does to the settings (the changes the gate suggests and a retry applies):
 * epsilon × 0.6 (SwAV's 0.05 → 0.03), prototypes frozen for max(2 × freezePrototypesSteps, one epoch) more
 * steps from the restart, the global crops' minimum scale a third of the way to 1, colour jitter halved,
 * and a queue (2 × batch, or twice the current one; at most half an epoch) from the restart epoch on.
 */
export function applyCollapseFix(
  s: ResolvedSwavSettings,
  key: CollapseFixKey,
  at: FixContext,
): { settings: ResolvedSwavSettings; change: FixChange } {
  const change = (from: FixValue, to: FixValue): FixChange => ({ key, from, to });
  switch (key) {
    case 'epsilon': {
      const to = round(s.epsilon * 0.6, 4);
      return { settings: { ...s, epsilon: to }, change: change(s.epsilon, to) };
    }
    case 'freezePrototypesSteps': {
      const to = at.restartStep + Math.max(2 * s.freezePrototypesSteps, at.stepsPerEpoch);
      return { settings: { ...s, freezePrototypesSteps: to }, change: change(s.freezePrototypesSteps, to) };
    }
    case 'globalScale': {
      const [lo, hi] = s.globalScale;
      const to: [number, number] = [Math.min(hi, round(lo + (1 - lo) / 3, 2)), hi];
      return { settings: { ...s, globalScale: to }, change: change(s.globalScale, to) };
    }
    case 'colorJitter': {
      const to = round(s.colorJitter * 0.5, 3);
      return { settings: { ...s, colorJitter: to }, change: change(s.colorJitter, to) };
    }
    case 'queueLength': {
      const cap = Math.floor(at.images / 2 / s.batchSize) * s.batchSize;
      const to = Math.min(cap, s.queueLength > 0 ? 2 * s.queueLength : 2 * s.batchSize);
      const queueStartEpoch = s.queueLength > 0 ? s.queueStartEpoch : at.restartEpoch;
      return {
        settings: { ...s, queueLength: to, queueStartEpoch },
        change: change(s.queueLength, to),
      };
    }
  }
}

/** Applies the fixes in order; the changes say what moved (for the manifest, history.json and report). */
export function applyCollapseFixes(
  settings: ResolvedSwavSettings,
  keys: readonly CollapseFixKey[],
  at: FixContext,
): { settings: ResolvedSwavSettings; changes: FixChange[] } {
  let current = settings;
  const changes: FixChange[] = [];
  for (const key of keys) {
    const fixed = applyCollapseFix(current, key, at);
    current = fixed.settings;
    changes.push(fixed.change);
  }
  return { settings: current, changes };
}

/** `swav.epsilon: 0.03, swav.globalScale: [0.6, 1], ...`: the gate's suggestion with this run's values. */
export function describeChanges(changes: readonly FixChange[]): string {
  return changes.map((c) => `swav.${c.key}: ${JSON.stringify(c.to).replace(/,/g, ', ')}`).join(', ');
}

/**
 * The newest epoch-end state that did not look collapsed, kept beside the checkpoints (the rolling
 * checkpoints are pruned to two, so they cannot hold it) and removed with them on a forced recompute.
 */
function healthyStateKey(cacheKey: string): string {
  return `${checkpointPrefix('pretrain', cacheKey)}/last-healthy-epoch.bin`;
}

export async function saveHealthyState(bucket: Bucket, cacheKey: string, blob: Uint8Array): Promise<void> {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const key = healthyStateKey(cacheKey);
  // Signed beside the bytes: training never restarts from a state someone else put in the bucket.
  const body = Buffer.concat([Buffer.from(`${sign(bucket.signingKey, 'healthy-state', buf)}\n`), buf]);
  await bucket.s3.putObject(bucket.bucket, key, body, body.length);
}

const SIGNATURE_LINE = 'hmac-sha256:'.length + 64 + 1;

export async function loadHealthyState(bucket: Bucket, cacheKey: string): Promise<Buffer | undefined> {
  let body: Buffer;
  try {
    body = await readObject(bucket.s3, bucket.bucket, healthyStateKey(cacheKey));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const signature = body.subarray(0, SIGNATURE_LINE - 1).toString('latin1');
  const blob = body.subarray(SIGNATURE_LINE);
  if (!verifySignature(bucket.signingKey, 'healthy-state', blob, signature)) return undefined;
  // Its own ArrayBuffer at offset 0: decodeSwavState reads `bytes.buffer` from its start.
  return Buffer.from(new Uint8Array(blob).buffer);
}
