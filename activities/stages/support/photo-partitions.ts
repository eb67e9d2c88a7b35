import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { ArtefactRef, Manifest } from '../../../store/artefact-schema.js';
import {
  ArtefactCorruptError,
  ArtefactWriter,
  type Bucket,
  readArtefactFile,
  readManifest,
  verifyManifest,
} from '../../../store/artefacts.js';
import { canonicalJson, sha256 } from '../../../store/digest.js';

/**
 * Per-photo partitions: crops and features are cached per shelf photo as small artefacts (`crop-image`,
 * `feature-image`) keyed by the photo's content and the code that made them, so a week that adds 5 % new
 * photos crops and extracts features for those photos only, whatever node (crop, crop-part, features,
 * features-part) or run asks. Keyed by photo rather than by batch so that where new photos land in the
 * dataset never invalidates old work; the partition nodes (`parts` of them, a photo's by a hash of its name)
 * only decide which worker does which photo.
 */

/** The per-photo artefact stages: summarised by the artefact that assembles them (Lineage lists that one). */
export const PHOTO_STAGES: ReadonlySet<string> = new Set(['crop-image', 'feature-image']);

/** Which of `parts` partitions a photo belongs to: a hash of its name, so a photo keeps its partition. */
export function partitionOf(image: string, parts: number): number {
  return createHash('sha256').update(image).digest().readUInt32BE(0) % parts;
}

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A content key for a per-photo artefact: everything its bytes depend on, canonically hashed. */
export function photoKey(parts: Record<string, unknown>): string {
  return sha256(canonicalJson(parts));
}

export interface PhotoArtefact {
  ref: ArtefactRef;
  manifest: Manifest;
}

/** The per-photo artefact under `key` when it is published and its files verify; else undefined. */
export async function findPhotoArtefact(
  bucket: Bucket,
  stage: string,
  key: string,
): Promise<PhotoArtefact | undefined> {
  const manifest = await readManifest(bucket, stage, key).catch((err: unknown) => {
    if (err instanceof ArtefactCorruptError) return undefined;
    throw err;
  });
  if (!manifest || !(await verifyManifest(bucket, manifest)).ok) return undefined;
  return { ref: { stage, key, digest: manifest.digest }, manifest };
}

export async function readPhotoFile(bucket: Bucket, photo: PhotoArtefact, name: string): Promise<Buffer> {
  return await readArtefactFile(bucket, photo.manifest, name);
}

/** Publishes one file as a per-photo artefact (data first, manifest last, as every artefact). */
export async function publishPhotoArtefact(
  bucket: Bucket,
  stage: string,
  key: string,
  file: { name: string; data: Uint8Array },
  meta: { codeVersion: number; codeIdentity: string; params: unknown; metrics: Record<string, unknown> },
): Promise<PhotoArtefact> {
  const startedAt = new Date();
  const writer = new ArtefactWriter(bucket, stage, key);
  await writer.putBuffer(file.name, file.data);
  const { ref, manifest } = await writer.publish({ ...meta, inputs: {}, startedAt });
  return { ref, manifest };
}

/** `photo/<image>` -> ref: the per-photo artefacts an assembled artefact's manifest lists as inputs. */
export function builtFromPhotos(photos: readonly { image: string; ref: ArtefactRef }[]) {
  return Object.fromEntries(photos.map((p) => [`photo/${p.image}`, p.ref]));
}
