import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { decodeRgb, extractCrops, paddedRegion } from '../../data/crop/extract-crops.js';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../data/sku110k/image-limits.js';
import { resolveImageName } from '../../data/sku110k/safe-path.js';
import { predictHead } from '../../ml/head/index.js';
import { extractFeatures } from '../../ml/models/index.js';
import type { PredictInputFile, ShardPredictionsFile } from '../../pipelines/artefacts/predict-files.js';
import { predictShardStage } from '../../pipelines/predict.js';
import { StageFailure } from '../stage-failure.js';
import { defineStage, type StageContext } from '../stage-types.js';
import { readInputJson, yieldToEventLoop } from '../stages/support/artefact-files.js';
import { allowedLocation } from '../stages/support/data-roots.js';
import { loadFrozenBackbone } from '../stages/support/frozen-backbone.js';
import { headFromJson } from '../stages/support/head-file.js';
import { backendLabel, ensureBackend } from '../stages/support/ml-runtime.js';

type Image = PredictInputFile['images'][number];

/** The photo as a local file: in its folder, or downloaded from S3 into scratch (only this shard's photos). */
async function imageFile(ctx: StageContext<typeof predictShardStage>, location: string, image: Image) {
  const loc = await allowedLocation(ctx, location, 'images');
  const dir = loc.kind === 'local' ? loc.dir : path.join(ctx.scratchDir, 'images');
  const safe = resolveImageName(dir, image.name);
  if (!safe.ok) throw new StageFailure(`image ${image.name}: ${safe.detail}`);
  if (loc.kind === 's3') {
    await mkdir(path.dirname(safe.path), { recursive: true });
    await ctx.bucket.s3.fGetObject(loc.bucket, loc.prefix + image.name, safe.path);
  }
  return safe.path;
}

/** Every box of the images, cut and resized as the crop stage cuts training crops (same code, same geometry). */
async function cropImages(
  ctx: StageContext<typeof predictShardStage>,
  location: string,
  images: readonly Image[],
  size: number,
  padding: number,
): Promise<Uint8Array> {
  const rowBytes = size * size * 3;
  const total = images.reduce((n, im) => n + im.boxes.length, 0);
  const pixels = new Uint8Array(total * rowBytes);
  let at = 0;
  for (const [i, image] of images.entries()) {
    const decoded = await decodeRgb(await imageFile(ctx, location, image), DEFAULT_MAX_IMAGE_PIXELS);
    const regions = image.boxes.map((b) => paddedRegion(b, padding, decoded.width, decoded.height));
    pixels.set(await extractCrops(decoded, regions, size, 'js'), at * rowBytes);
    at += image.boxes.length;
    ctx.progress({ done: i + 1, total: images.length, unit: 'images', message: 'cropping' });
    await yieldToEventLoop();
  }
  return pixels;
}

export const predictShard = defineStage({
  def: predictShardStage,
  module: import.meta.url,
  async run(ctx, params) {
    const info = await ensureBackend();
    const input = await readInputJson(ctx.inputs.input, 'input.json');
    const images = input.images.filter((_, i) => i % params.shards === params.shard);
    const head = headFromJson(await readInputJson(ctx.inputs.head, 'head.json'));
    const boxes = images.flatMap((im) => im.boxes.map((b) => ({ image: im.name, ...b })));
    const started = Date.now();
    const pixels = await cropImages(ctx, input.location, images, params.cropSize, params.padding);
    const model = await loadFrozenBackbone(ctx.inputs.backbone);
    let predictions: ReturnType<typeof predictHead> = { probs: new Float32Array(), labels: new Int32Array() };
    try {
      if (boxes.length > 0) {
        const features = await extractFeatures(
          model,
          pixels,
          boxes.length,
          params.cropSize,
          params.cropSize,
          3,
          params.batchSize,
          (done, total) => ctx.progress({ done, total, unit: 'boxes', message: 'classifying' }),
          params.normalization,
        );
        predictions = predictHead(head, features);
      }
    } finally {
      model.dispose();
    }
    const C = head.classes;
    const file: ShardPredictionsFile = {
      shard: params.shard,
      images: images.length,
      rows: boxes.map((b, i) => {
        const label = predictions.labels[i]!;
        return {
          image: b.image,
          boxId: b.boxId,
          box: [b.x1, b.y1, b.x2, b.y2],
          label,
          confidence: predictions.probs[i * C + label]!,
        };
      }),
    };
    await ctx.writer.putJson('predictions.json', file);
    const seconds = (Date.now() - started) / 1000;
    return {
      metrics: {
        images: images.length,
        boxes: boxes.length,
        boxesPerSecond: boxes.length / Math.max(seconds, 1e-3),
      },
      backend: backendLabel(info),
    };
  },
});
