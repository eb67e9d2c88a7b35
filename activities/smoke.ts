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

/** Writes an object, reads it back and checks the digest: proves worker, Temporal and MinIO are wired. */
export function smokeActivities(deps: ActivityDeps) {
  return {
    async smokeWriteRead(input: SmokeInput): Promise<SmokeResult> {
      const body = Buffer.from(input.text, 'utf8');
      const digest = sha256(body);
      await deps.s3.putObject(deps.bucket, input.key, body, body.length, { 'x-amz-meta-sha256': digest });
      const back = await readObject(deps.s3, deps.bucket, input.key);
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
