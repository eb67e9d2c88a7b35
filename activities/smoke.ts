import { ApplicationFailure } from '@temporalio/activity';
import { sha256 } from '../store/digest.js';
import { readObject } from '../store/s3.js';
import type { ActivityDeps } from './deps.js';

export interface SmokeInput {
  key: string;
  text: string;
}
export interface SmokeResult {
  key: string;
  digest: string;
  bytes: number;
}

/** The smoke workflow's own prefix: any Temporal client can start it, so it writes nowhere else. */
const SMOKE_KEY = /^smoke\/[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;
const MAX_SMOKE_TEXT = 64 * 1024;

/** Writes an object, reads it back and checks the digest: proves worker, Temporal and MinIO are wired. */
export function smokeActivities(deps: ActivityDeps) {
  return {
    async smokeWriteRead(input: SmokeInput): Promise<SmokeResult> {
      if (typeof input?.key !== 'string' || !SMOKE_KEY.test(input.key))
        throw ApplicationFailure.nonRetryable(
          `smoke key ${JSON.stringify(input?.key)} refused: it must be smoke/<name> (letters, digits, ._-)`,
        );
      if (typeof input.text !== 'string' || input.text.length > MAX_SMOKE_TEXT)
        throw ApplicationFailure.nonRetryable(
          `smoke text must be a string of at most ${MAX_SMOKE_TEXT} characters`,
        );
      const body = Buffer.from(input.text, 'utf8');
      const digest = sha256(body);
      await deps.s3.putObject(deps.bucket, input.key, body, body.length, { 'x-amz-meta-sha256': digest });
      const back = await readObject(deps.s3, deps.bucket, input.key, body.length);
      const readDigest = sha256(back);
      if (readDigest !== digest) {
        throw ApplicationFailure.nonRetryable(
          `digest mismatch for ${input.key}: wrote ${digest}, read ${readDigest}`,
        );
      }
      return { key: input.key, digest, bytes: back.length };
    },
  };
}
