import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { mulberry32, type Rng } from '../../ml/random.js';

/**
 * `npm run test:faults` sets SHELFSSL_FAULTS=full: many kill points, long outages. Inside the normal
 * `npm test` the same files run a short form so CI stays fast.
 */
export const FULL = process.env.SHELFSSL_FAULTS === 'full';

/** Picks the short or the full value of a knob. */
export function byMode<T>(short: T, full: T): T {
  return FULL ? full : short;
}

/** Kill times and data come from a seed (printed, overridable) so a failing fault run can be replayed. */
export function faultRng(label: string): { rng: Rng; seed: number } {
  const fromEnv = Number(process.env.SHELFSSL_FAULT_SEED);
  const seed = Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : 20_240_611;
  console.log(`[faults] ${label}: seed ${seed} (set SHELFSSL_FAULT_SEED to replay another), full=${FULL}`);
  let h = seed;
  for (const ch of label) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return { rng: mulberry32(h), seed };
}

/** A workflow id of its own: two runs of one plan inside a second would otherwise share an id. */
export function uniqueRunId(label: string): string {
  return `faults-${label}-${randomUUID().slice(0, 8)}`;
}

/** Polls `probe` until it returns a value, or throws with `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: { timeoutMs: number; everyMs?: number },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${opts.timeoutMs} ms waiting for ${what}`);
    await sleep(opts.everyMs ?? 100);
  }
}

/** Rejects after `ms` so a faulty case ends as a failed assertion, never as a hung test file. */
export async function withTimeout<T>(what: string, ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no result within ${ms} ms (a hang)`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
