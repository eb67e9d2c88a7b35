import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { rename, stat } from 'node:fs/promises';
import os from 'node:os';
import type * as Minio from 'minio';
import { formatZodError } from '../config/errors.js';
import { type ArtefactRef, type Manifest, type ManifestFile, ManifestSchema } from './artefact-schema.js';
import { artefactDigest, artefactPrefix } from './cache-key.js';
import { sha256 } from './digest.js';
import { artefactFileNameProblem } from './file-name.js';
import { createS3Client, isNotFound, MAX_MANIFEST_BYTES, readObject, type S3Settings } from './s3.js';
import { sign, verifySignature } from './signing.js';

export interface Bucket {
  s3: Minio.Client;
  bucket: string;
  /** Signs what this process writes and verifies what it reads (settings `manifestKey`; never in the bucket). */
  signingKey: string;
}

/** The artefact store as the settings describe it. */
export function bucketOf(settings: { s3: S3Settings; manifestKey: string }, s3?: Minio.Client): Bucket {
  return {
    s3: s3 ?? createS3Client(settings.s3),
    bucket: settings.s3.bucket,
    signingKey: settings.manifestKey,
  };
}

export function manifestKey(stage: string, key: string): string {
  return `${artefactPrefix(stage, key)}/manifest.json`;
}

export class ArtefactCorruptError extends Error {
  override name = 'ArtefactCorruptError';
}

/** Reads and parses a manifest; undefined when absent. A malformed manifest counts as corrupt. */
export async function readManifest(b: Bucket, stage: string, key: string): Promise<Manifest | undefined> {
  checkAddress(stage, key);
  let raw: Buffer;
  try {
    raw = await readObject(b.s3, b.bucket, manifestKey(stage, key), MAX_MANIFEST_BYTES);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ArtefactCorruptError(`manifest ${manifestKey(stage, key)} is not JSON`);
  }
  const parsed = ManifestSchema.safeParse(json);
  if (!parsed.success) throw new ArtefactCorruptError(formatZodError(parsed.error, manifestKey(stage, key)));
  const { signature, ...signed } = parsed.data;
  if (!verifySignature(b.signingKey, 'manifest', signed, signature)) {
    throw new ArtefactCorruptError(
      `manifest ${manifestKey(stage, key)} is ${signature ? 'signed with another key' : 'not signed'}: it was not ` +
        "written by a worker holding this store's manifestKey, so it is not trusted (every worker and CLI " +
        'of one store needs the same SHELFSSL_MANIFEST_KEY)',
    );
  }
  const problem = addressProblem(parsed.data, stage, key);
  if (problem) throw new ArtefactCorruptError(`manifest ${manifestKey(stage, key)}: ${problem}`);
  return parsed.data;
}

const STAGE_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const CACHE_KEY = /^[0-9a-f]{64}$/;

/** Refuses a stage or cache key that is not one the store itself would make (a workflow input may name any). */
function checkAddress(stage: string, key: string): void {
  if (!STAGE_NAME.test(stage)) throw new ArtefactCorruptError(`not a stage name: ${JSON.stringify(stage)}`);
  if (!CACHE_KEY.test(key)) throw new ArtefactCorruptError(`not a cache key: ${JSON.stringify(key)}`);
}

/**
 * A manifest copied from another address (or edited) must not pass as this one: it must name the stage and
 * key it was read for, and each file must live under this artefact's own prefix.
 */
function addressProblem(m: Manifest, stage: string, key: string): string | undefined {
  if (m.stage !== stage) return `says stage ${m.stage}, was read for ${stage}`;
  if (m.cacheKey !== key) return `says cache key ${m.cacheKey}, was read for ${key}`;
  const prefix = `${artefactPrefix(stage, key)}/files/`;
  const stray = m.files.find((f) => f.objectKey !== `${prefix}${f.name}`);
  return stray ? `file ${stray.name} points at ${stray.objectKey}, outside ${prefix}` : undefined;
}

export type VerifyResult = { ok: true } | { ok: false; problems: string[] };

/**
 * Cheap verification for cache lookups: every file exists with the recorded size and ETag (a rewrite of
 * any byte changes the ETag). Full sha256 verification happens when a consumer reads a file.
 */
export async function verifyManifest(b: Bucket, m: Manifest): Promise<VerifyResult> {
  const problems: string[] = [];
  if (artefactDigest(m.files) !== m.digest) problems.push('manifest digest does not match its file list');
  for (const f of m.files) {
    try {
      const st = await b.s3.statObject(b.bucket, f.objectKey);
      if (st.size !== f.size) problems.push(`${f.name}: size ${st.size} != ${f.size}`);
      else if (st.etag !== f.etag) problems.push(`${f.name}: content changed (etag ${st.etag} != ${f.etag})`);
    } catch (err) {
      if (isNotFound(err)) problems.push(`${f.name}: missing`);
      else throw err;
    }
  }
  return problems.length === 0 ? { ok: true } : { ok: false, problems };
}

/** Downloads one file of an artefact and checks its sha256 against the manifest. */
export async function readArtefactFile(b: Bucket, m: Manifest, name: string): Promise<Buffer> {
  const f = m.files.find((x) => x.name === name);
  if (!f)
    throw new Error(
      `artefact ${m.stage}/${m.cacheKey} has no file "${name}" (has: ${m.files.map((x) => x.name).join(', ')})`,
    );
  const data = await readObject(b.s3, b.bucket, f.objectKey, f.size);
  const digest = sha256(data);
  if (digest !== f.sha256) {
    throw new ArtefactCorruptError(`${f.objectKey}: sha256 ${digest} does not match manifest ${f.sha256}`);
  }
  return data;
}

function checkFileName(name: string): void {
  const problem = artefactFileNameProblem(name);
  if (problem) throw new Error(`artefact file name ${JSON.stringify(name)}: ${problem}`);
}

/**
 * Streams one file of an artefact to `dest` (no buffer of its size: indexes and shards can be large) and
 * checks its sha256 against the manifest; a mismatching file is left behind only under a `.corrupt` name.
 */
export async function downloadArtefactFile(
  b: Bucket,
  m: Manifest,
  name: string,
  dest: string,
): Promise<void> {
  const f = m.files.find((x) => x.name === name);
  if (!f)
    throw new Error(
      `artefact ${m.stage}/${m.cacheKey} has no file "${name}" (has: ${m.files.map((x) => x.name).join(', ')})`,
    );
  await b.s3.fGetObject(b.bucket, f.objectKey, dest);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(dest)) hash.update(chunk as Buffer);
  const digest = hash.digest('hex');
  if (digest !== f.sha256) {
    await rename(dest, `${dest}.corrupt`);
    throw new ArtefactCorruptError(`${f.objectKey}: sha256 ${digest} does not match manifest ${f.sha256}`);
  }
}

/** Stages write files through this; publish() writes the manifest last, making the artefact visible. */
export class ArtefactWriter {
  private readonly files = new Map<string, ManifestFile>();
  readonly prefix: string;

  constructor(
    private readonly b: Bucket,
    readonly stage: string,
    readonly cacheKey: string,
  ) {
    this.prefix = artefactPrefix(stage, cacheKey);
  }

  async putBuffer(name: string, data: Uint8Array): Promise<ManifestFile> {
    checkFileName(name);
    const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    const objectKey = `${this.prefix}/files/${name}`;
    const res = await this.b.s3.putObject(this.b.bucket, objectKey, buf, buf.length);
    return this.record({ name, objectKey, sha256: sha256(buf), size: buf.length, etag: res.etag });
  }

  async putJson(name: string, value: unknown): Promise<ManifestFile> {
    return await this.putBuffer(name, Buffer.from(`${JSON.stringify(value)}\n`, 'utf8'));
  }

  /** Streams a local file up (crops shards can be large); hashes while reading. */
  async putFile(name: string, localPath: string): Promise<ManifestFile> {
    checkFileName(name);
    const objectKey = `${this.prefix}/files/${name}`;
    const size = (await stat(localPath)).size;
    const hash = createHash('sha256');
    for await (const chunk of createReadStream(localPath)) hash.update(chunk as Buffer);
    const res = await this.b.s3.fPutObject(this.b.bucket, objectKey, localPath);
    return this.record({ name, objectKey, sha256: hash.digest('hex'), size, etag: res.etag });
  }

  private record(f: ManifestFile): ManifestFile {
    this.files.set(f.name, f);
    return f;
  }

  /** Re-adopts files an earlier attempt already uploaded (resume after a crash), so they are not redone. */
  adopt(files: readonly ManifestFile[]): void {
    for (const f of files) this.record(f);
  }

  recorded(): ManifestFile[] {
    return [...this.files.values()];
  }

  fileNames(): string[] {
    return [...this.files.keys()];
  }

  async publish(meta: {
    codeVersion: number;
    codeIdentity?: string;
    params: unknown;
    inputs: Record<string, ArtefactRef>;
    metrics: Record<string, unknown>;
    startedAt: Date;
    backend?: string;
  }): Promise<{ ref: ArtefactRef; manifest: Manifest }> {
    const files = [...this.files.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
    const finishedAt = new Date();
    const manifest: Manifest = {
      schema: 'shelfssl.artefact/v1',
      stage: this.stage,
      codeVersion: meta.codeVersion,
      ...(meta.codeIdentity ? { codeIdentity: meta.codeIdentity } : {}),
      cacheKey: this.cacheKey,
      digest: artefactDigest(files),
      params: meta.params,
      inputs: meta.inputs,
      files,
      metrics: meta.metrics,
      timings: {
        startedAt: meta.startedAt.toISOString(),
        finishedAt: finishedAt.toISOString(),
        durationMs: finishedAt.getTime() - meta.startedAt.getTime(),
      },
      createdAt: finishedAt.toISOString(),
      worker: { host: os.hostname(), pid: process.pid, ...(meta.backend ? { backend: meta.backend } : {}) },
    };
    manifest.signature = sign(this.b.signingKey, 'manifest', manifest);
    const body = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8');
    await this.b.s3.putObject(this.b.bucket, manifestKey(this.stage, this.cacheKey), body, body.length, {
      'Content-Type': 'application/json',
    });
    return { ref: { stage: this.stage, key: this.cacheKey, digest: manifest.digest }, manifest };
  }
}
