import * as Minio from 'minio';
import type { Settings } from '../config/settings.js';

export type S3Settings = Settings['s3'];

/** A request written to a keep-alive socket the server had already closed: safe to send again. */
export function isStaleSocket(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'EPIPE' || code === 'ECONNRESET';
}

export async function retryStaleSocket<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (attempt >= 3 || !isStaleSocket(err)) throw err;
    }
  }
}

/**
 * The MinIO client, re-sending a request that hit a dead keep-alive socket. A worker process whose event loop
 * a long training step holds (two gpu stages in one process) handles the server's close of an idle socket too
 * late, so the next request takes that socket and fails with EPIPE (seen on the supervise stage's writes under
 * load). Only requests whose body can be sent again are retried: buffers, strings, files, reads, deletes.
 */
class ResendingClient extends Minio.Client {
  override putObject(...args: Parameters<Minio.Client['putObject']>) {
    const body = args[2];
    if (typeof body !== 'string' && !Buffer.isBuffer(body)) return super.putObject(...args);
    return retryStaleSocket(() => super.putObject(...args));
  }
  override fPutObject(...args: Parameters<Minio.Client['fPutObject']>) {
    return retryStaleSocket(() => super.fPutObject(...args));
  }
  override getObject(...args: Parameters<Minio.Client['getObject']>) {
    return retryStaleSocket(() => super.getObject(...args));
  }
  override fGetObject(...args: Parameters<Minio.Client['fGetObject']>) {
    return retryStaleSocket(() => super.fGetObject(...args));
  }
  override statObject(...args: Parameters<Minio.Client['statObject']>) {
    return retryStaleSocket(() => super.statObject(...args));
  }
  override removeObject(...args: Parameters<Minio.Client['removeObject']>) {
    return retryStaleSocket(() => super.removeObject(...args));
  }
}

export function createS3Client(s3: S3Settings): Minio.Client {
  return new ResendingClient({
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
