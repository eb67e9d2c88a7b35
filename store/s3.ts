import * as Minio from 'minio';
import type { Settings } from '../config/settings.js';

export type S3Settings = Settings['s3'];

export function createS3Client(s3: S3Settings): Minio.Client {
  return new Minio.Client({
    endPoint: s3.endPoint,
    port: s3.port,
    useSSL: s3.useSSL,
    accessKey: s3.accessKey,
    secretKey: s3.secretKey,
    region: s3.region,
  });
}

/** Creates the artefact bucket if it is missing; safe to call from many processes at once. */
export async function ensureBucket(client: Minio.Client, s3: S3Settings): Promise<void> {
  if (await client.bucketExists(s3.bucket)) return;
  try {
    await client.makeBucket(s3.bucket, s3.region);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code !== 'BucketAlreadyOwnedByYou' && code !== 'BucketAlreadyExists') throw err;
  }
}

/** The cap for reads whose size nothing declares (checkpoints, imported models): 2 GiB, Node's Buffer limit. */
export const MAX_OBJECT_BYTES = 2 ** 31 - 1;
/** Manifests and pointers are small JSON files. */
export const MAX_MANIFEST_BYTES = 16 * 2 ** 20;

export class ObjectTooLargeError extends Error {
  override name = 'ObjectTooLargeError';
}

/**
 * Reads a whole object, but never more than `maxBytes` (for an artefact file: the size its manifest
 * declares): an object grown in the bucket must not exhaust a worker's memory.
 */
export async function readObject(
  client: Minio.Client,
  bucket: string,
  key: string,
  maxBytes: number = MAX_OBJECT_BYTES,
): Promise<Buffer> {
  const stream = await client.getObject(bucket, key);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > maxBytes) {
      stream.destroy();
      throw new ObjectTooLargeError(`s3://${bucket}/${key} is larger than the ${maxBytes} bytes expected`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function isNotFound(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'NoSuchKey' || code === 'NotFound' || code === 'NoSuchObject';
}
