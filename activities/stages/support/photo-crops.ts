import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { cropOneImage, type ImageJob } from '../../../data/crop/crop-shelf-images.js';
import { decodeNpy, encodeNpy } from '../../../data/npy.js';
import { confinedFile, IMAGE_WORDING } from '../../../data/sku110k/safe-path.js';
import type { PhotoPartitionsFile } from '../../../pipelines/artefacts/photo-partitions-file.js';
import { cropStage } from '../../../pipelines/stages.js';
import { stageCodeIdentity } from '../../stage-code.js';
import type { StageContext } from '../../stage-types.js';
import {
  fileSha256,
  findPhotoArtefact,
  photoKey,
  publishPhotoArtefact,
  readPhotoFile,
} from './photo-partitions.js';

export type CropParams = z.output<typeof cropStage.params>;
export type Photo = PhotoPartitionsFile['photos'][number] & { computed: boolean };

type PhotoContext = Pick<StageContext, 'bucket'>;

let codeOfPhotoCrops: Promise<string> | undefined;

/**
 * The code identity of this module's graph (everything that decides a photo's crop bytes): crop and
 * crop-part have identities of their own, and a photo one of them cropped must be found by the other.
 */
export function photoCropsCode(): Promise<string> {
  codeOfPhotoCrops ??= stageCodeIdentity(fileURLToPath(import.meta.url)).then((c) => c.digest);
  return codeOfPhotoCrops;
}

/**
 * One photo's crops: from its `crop-image` artefact when any run or partition already made it (keyed by the
 * photo's sha256, its boxes, the crop geometry and this code), else decoded, cut and published as one.
 */
export async function photoCrops(
  ctx: PhotoContext,
  imagesDir: string,
  job: ImageJob,
  params: CropParams,
): Promise<{ photo: Photo; pixels: Uint8Array }> {
  const safe = await confinedFile(imagesDir, job.image, IMAGE_WORDING);
  if (!safe.ok) throw new Error(`image ${job.image}: ${safe.detail}`);
  const key = photoKey({
    kind: 'crop-image',
    code: await photoCropsCode(),
    cropSize: params.cropSize,
    padding: params.padding,
    photo: await fileSha256(safe.path),
    boxes: job.boxes.map((b) => [b.x1, b.y1, b.x2, b.y2, b.imageWidth, b.imageHeight]),
  });
  const rows = job.boxes.length;
  const found = await findPhotoArtefact(ctx.bucket, 'crop-image', key);
  if (found) {
    const pixels = decodeNpy(await readPhotoFile(ctx.bucket, found, 'crops.npy')).data as Uint8Array;
    return { photo: { image: job.image, rows, ref: found.ref, computed: false }, pixels };
  }
  const opts = {
    cropSize: params.cropSize,
    padding: params.padding,
    resizer: 'js',
    decode: 'reduced',
  } as const;
  const pixels = await cropOneImage(imagesDir, job, opts);
  const shape = [rows, params.cropSize, params.cropSize, 3];
  const published = await publishPhotoArtefact(
    ctx.bucket,
    'crop-image',
    key,
    { name: 'crops.npy', data: encodeNpy(pixels, shape) },
    {
      codeVersion: cropStage.codeVersion,
      codeIdentity: await photoCropsCode(),
      params: { image: job.image, ...opts },
      metrics: { crops: rows },
    },
  );
  return { photo: { image: job.image, rows, ref: published.ref, computed: true }, pixels };
}

export function countPhotos(photos: readonly Photo[]) {
  const computed = photos.filter((p) => p.computed);
  return {
    photosComputed: computed.length,
    photosReused: photos.length - computed.length,
    cropsComputed: computed.reduce((n, p) => n + p.rows, 0),
  };
}

export function contentOf(photos: readonly Photo[]): PhotoPartitionsFile {
  return { photos: photos.map(({ image, rows, ref }) => ({ image, rows, ref })) };
}
