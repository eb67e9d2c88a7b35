import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import type { CropRowSource } from '../../../data/crop/pool-rows.js';
import { encodeNpy } from '../../../data/npy.js';
import { extractFeatures } from '../../../ml/models/index.js';
import type { PhotoPartitionsFile } from '../../../pipelines/artefacts/photo-partitions-file.js';
import { type featuresPartStage, featuresStage } from '../../../pipelines/stages.js';
import type { ArtefactRef } from '../../../store/artefact-schema.js';
import { stageCodeIdentity } from '../../stage-code.js';
import type { StageContext } from '../../stage-types.js';
import { yieldToEventLoop } from './artefact-files.js';
import { loadFrozenBackbone } from './frozen-backbone.js';
import { builtFromPhotos, findPhotoArtefact, photoKey, publishPhotoArtefact } from './photo-partitions.js';

let codeOfPhotoFeatures: Promise<string> | undefined;

/** The code identity of this module's graph: features and features-part find each other's photos. */
function photoFeaturesCode(): Promise<string> {
  codeOfPhotoFeatures ??= stageCodeIdentity(fileURLToPath(import.meta.url)).then((c) => c.digest);
  return codeOfPhotoFeatures;
}

export interface FeatureShard {
  file: string;
  rows: number;
}

/** Rows of photos still to compute, gathered so the backbone sees full batches across photos. */
const GROUP_ROWS = 2048;

export function shardName<P extends string>(pool: P, i: number): `${P}/features-${string}.npy` {
  return `${pool}/features-${String(i).padStart(5, '0')}.npy`;
}

export type FeaturesContext = StageContext<typeof featuresStage> | StageContext<typeof featuresPartStage>;
export type Params = z.output<typeof featuresStage.params>;

export interface PhotoRows {
  image: string;
  /** First row of the photo in the crop pool. */
  start: number;
  rows: number;
  key: string;
  ref?: ArtefactRef;
  computed: boolean;
}

/** Each photo's `feature-image` key: the backbone, the photo's crops (their artefact) and this code. */
export async function photoRows(
  ctx: FeaturesContext,
  photos: PhotoPartitionsFile['photos'],
): Promise<PhotoRows[]> {
  const code = await photoFeaturesCode();
  let start = 0;
  return photos.map((p) => {
    const key = photoKey({
      kind: 'feature-image',
      code,
      backbone: ctx.inputs.backbone.ref.digest,
      crops: p.ref.digest,
    });
    const row = { image: p.image, start, rows: p.rows, key, computed: false };
    start += p.rows;
    return row;
  });
}

/**
 * Makes sure every photo in `wanted` has its `feature-image` artefact: found (an earlier run or partition
 * made it) or computed now, photos grouped into batches of ~GROUP_ROWS rows. Returns the dimension when
 * anything was computed.
 */
export async function ensurePhotoFeatures(
  ctx: FeaturesContext,
  params: Params,
  pool: CropRowSource,
  wanted: PhotoRows[],
): Promise<number> {
  const model = await loadFrozenBackbone(ctx.inputs.backbone);
  const per = pool.size ** 2 * 3;
  const total = wanted.reduce((n, p) => n + p.rows, 0);
  let done = 0;
  let dim = 0;
  try {
    const missing: PhotoRows[] = [];
    for (const p of wanted) {
      const found = await findPhotoArtefact(ctx.bucket, 'feature-image', p.key);
      if (found) p.ref = found.ref;
      else missing.push(p);
    }
    for (let i = 0; i < missing.length; ) {
      const group: PhotoRows[] = [];
      let rows = 0;
      while (i < missing.length && (rows === 0 || rows + missing[i]!.rows <= GROUP_ROWS)) {
        group.push(missing[i]!);
        rows += missing[i]!.rows;
        i++;
      }
      // The group's rows, read from the pool's shards (one shard held at a time), never the whole pool.
      const pixels = new Uint8Array(rows * per);
      let at = 0;
      for (const p of group) {
        pixels.set(await pool.rows(p.start, p.rows), at * per);
        at += p.rows;
      }
      const feats = await extractFeatures(
        model,
        pixels,
        rows,
        pool.size,
        pool.size,
        3,
        params.batchSize,
        (d) => ctx.progress({ done: done + d, total, unit: 'images', message: 'extracting' }),
      );
      dim = feats.length / Math.max(rows, 1);
      at = 0;
      for (const p of group) {
        const data = encodeNpy(feats.subarray(at * dim, (at + p.rows) * dim), [p.rows, dim]);
        at += p.rows;
        const published = await publishPhotoArtefact(
          ctx.bucket,
          'feature-image',
          p.key,
          { name: 'features.npy', data },
          {
            codeVersion: featuresStage.codeVersion,
            codeIdentity: await photoFeaturesCode(),
            params: { image: p.image },
            metrics: { rows: p.rows },
          },
        );
        Object.assign(p, { ref: published.ref, computed: true });
      }
      done += rows;
      await yieldToEventLoop();
    }
    if (dim === 0) dim = model.outputs[0]?.shape.at(-1) ?? 0;
  } finally {
    model.dispose();
  }
  return dim;
}

export function counts(photos: readonly PhotoRows[]) {
  const computed = photos.filter((p) => p.computed);
  return {
    photosComputed: computed.length,
    photosReused: photos.length - computed.length,
    rowsComputed: computed.reduce((n, p) => n + p.rows, 0),
  };
}

export function refsOf(photos: readonly PhotoRows[]) {
  return builtFromPhotos(photos.map((p) => ({ image: p.image, ref: p.ref! })));
}
