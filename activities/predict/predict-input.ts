import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { access, copyFile, mkdir, readFile, symlink } from 'node:fs/promises';
import path from 'node:path';
import {
  BadInputShareError,
  DatasetLayoutError,
  type IngestResult,
  ingestSku110k,
  type ReasonCount,
} from '../../data/sku110k/index.js';
import { parseStoresCsv } from '../../data/stores/parse-stores.js';
import type { PredictInputFile, PredictReason } from '../../pipelines/artefacts/predict-files.js';
import { predictInputStage } from '../../pipelines/predict.js';
import { StageFailure } from '../stage-failure.js';
import { defineStage, type StageContext } from '../stage-types.js';
import { allowedLocation } from '../stages/support/data-roots.js';
import { materialiseDataset } from '../stages/support/dataset-location.js';

type Ctx = StageContext<typeof predictInputStage>;

/** A CSV named by a local path or s3://bucket/key, as a local file (downloaded into scratch if need be). */
async function localCsv(ctx: Ctx, where: string, name: string): Promise<string> {
  const loc = await allowedLocation(ctx, where, name);
  if (loc.kind === 'local') return loc.dir;
  const dest = path.join(ctx.scratchDir, name);
  await ctx.bucket.s3.fGetObject(loc.bucket, loc.prefix.replace(/\/$/, ''), dest);
  return dest;
}

async function exists(file: string): Promise<boolean> {
  return await access(file).then(
    () => true,
    () => false,
  );
}

/**
 * Lays the photos and the box CSV out as an SKU110K folder (images/ linked, the CSV as the test split), so
 * ingest's row and image checks apply unchanged: bad rows and unreadable images counted with examples.
 */
async function ingestPhotos(
  ctx: Ctx,
  params: { maxBadShare: number; boxPolicy: 'clip' | 'drop' },
  imagesDir: string,
  boxesCsv: string,
): Promise<IngestResult> {
  const root = path.join(ctx.scratchDir, 'sku110k');
  await mkdir(path.join(root, 'annotations'), { recursive: true });
  await symlink(imagesDir, path.join(root, 'images'));
  await copyFile(boxesCsv, path.join(root, 'annotations', 'annotations_test.csv'));
  const { maxBadShare, boxPolicy } = params;
  try {
    return await ingestSku110k({ root, maxBadShare, boxPolicy, verify: 'decode' });
  } catch (err) {
    if (err instanceof BadInputShareError || err instanceof DatasetLayoutError)
      throw new StageFailure(
        `predict input: ${err.message.replaceAll('annotations_test.csv', path.basename(boxesCsv))}`,
      );
    throw err;
  }
}

async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Findings by reason in input.json's shape; `rename` gives examples the user's file names back. */
function reasons(
  table: Record<string, ReasonCount>,
  drop: (e: ReasonCount['examples'][number]) => boolean = () => false,
  rename: (file: string) => string = (f) => f,
) {
  const out: Record<string, PredictReason> = {};
  for (const [reason, r] of Object.entries(table)) {
    const examples = r.examples.filter((e) => !drop(e));
    const count = r.count - (r.examples.length - examples.length);
    if (count > 0)
      out[reason] = {
        count,
        examples: examples.map(({ file, line, detail }) => ({ file: rename(file), line, detail })),
      };
  }
  return out;
}

export const predictInput = defineStage({
  def: predictInputStage,
  module: import.meta.url,
  async run(ctx, params) {
    const imagesAt = await allowedLocation(ctx, params.images, 'images');
    const imagesDir = await materialiseDataset(ctx.bucket.s3, imagesAt, ctx.scratchDir);
    const boxesCsv = params.boxes
      ? await localCsv(ctx, params.boxes, 'boxes.csv')
      : path.join(imagesDir, 'boxes.csv');
    if (!(await exists(boxesCsv)))
      throw new StageFailure(
        `predict input: no box CSV at ${params.boxes ?? `${params.images}/boxes.csv`}: give --boxes FILE ` +
          '(SKU110K annotation layout: image_name,x1,y1,x2,y2,class,image_width,image_height)',
      );
    ctx.progress({ message: 'checking boxes and images' });
    const ingest = await ingestPhotos(ctx, params, imagesDir, boxesCsv);
    const storesCsv = params.stores
      ? await localCsv(ctx, params.stores, 'stores.csv')
      : path.join(imagesDir, 'stores.csv');
    const stores =
      params.stores || (await exists(storesCsv))
        ? parseStoresCsv(await readFile(storesCsv), path.basename(storesCsv))
        : undefined;
    const byImage = new Map<string, PredictInputFile['images'][number]>();
    for (const b of ingest.boxes) {
      let entry = byImage.get(b.image);
      if (!entry) {
        entry = {
          name: b.image,
          sha256: '',
          width: b.imageWidth,
          height: b.imageHeight,
          store: stores?.stores.get(b.image) ?? null,
          boxes: [],
        };
        byImage.set(b.image, entry);
      }
      entry.boxes.push({ boxId: b.boxId, x1: b.x1, y1: b.y1, x2: b.x2, y2: b.y2 });
    }
    const images = [...byImage.values()].sort((a, b) => a.name.localeCompare(b.name));
    for (const [i, image] of images.entries()) {
      image.sha256 = await fileSha256(path.join(imagesDir, image.name));
      ctx.progress({ done: i + 1, total: images.length, unit: 'images', message: 'digesting' });
    }
    const csvNames = new Set([path.basename(boxesCsv), path.basename(storesCsv)]);
    const asBoxesCsv = (f: string) => (f === 'annotations_test.csv' ? path.basename(boxesCsv) : f);
    const file: PredictInputFile = {
      location: params.images,
      images,
      counts: {
        rows: ingest.counts.rows,
        goodBoxes: ingest.counts.goodBoxes,
        badRows: ingest.counts.badRows,
        images: images.length,
        storeRows: stores?.rows ?? 0,
      },
      bad: { ...reasons(ingest.bad, undefined, asBoxesCsv), ...reasons(stores?.bad ?? {}) },
      // The CSVs beside the photos are not photos without boxes.
      warnings: reasons(ingest.warnings, (e) => csvNames.has(e.file.replace(/^images\//, ''))),
    };
    await ctx.writer.putJson('input.json', file);
    return { metrics: { ...file.counts } };
  },
});
