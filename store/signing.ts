import { createHmac, timingSafeEqual } from 'node:crypto';
import { canonicalJson } from './digest.js';

/**
 * What the store writes is signed with a key the workers and the CLI hold (settings `manifestKey`), never
 * stored in the bucket: someone who can write to the bucket but lacks the key cannot make a manifest, a
 * checkpoint pointer or a saved training state that a worker or `shelfssl report` accepts.
 */
export type SignedKind = 'manifest' | 'checkpoint' | 'healthy-state' | 'alias';

const PREFIX = 'hmac-sha256:';

/** The signature of `value` (canonical JSON, or raw bytes), bound to what kind of thing it is. */
export function sign(key: string, kind: SignedKind, value: unknown): string {
  const mac = createHmac('sha256', key).update(`shelfssl/${kind}\n`);
  mac.update(value instanceof Uint8Array ? value : canonicalJson(value));
  return `${PREFIX}${mac.digest('hex')}`;
}

/** Constant-time check of a signature made by `sign` with the same key and kind. */
export function verifySignature(key: string, kind: SignedKind, value: unknown, signature: unknown): boolean {
  if (typeof signature !== 'string' || !signature.startsWith(PREFIX)) return false;
  const expected = Buffer.from(sign(key, kind, value));
  const given = Buffer.from(signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
