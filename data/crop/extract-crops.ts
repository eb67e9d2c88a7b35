import sharp, { type Sharp } from 'sharp';
import { type Region, resampleRegion } from '../resample.js';

export type Resizer = 'js' | 'sharp';

export interface DecodedImage {
  pixels: Uint8Array;
  width: number;
  height: number;
}

/**
 * Decodes a shelf image once to packed RGB (alpha dropped, greyscale expanded) so boxes are cut from memory.
 * `maxPixels` bounds the decode (libvips refuses a larger image before allocating for it).
 */
export async function decodeRgb(file: string, maxPixels: number): Promise<DecodedImage> {
  return await packedRgb(file, sharp(file, { limitInputPixels: maxPixels }));
}

async function packedRgb(file: string, image: Sharp): Promise<DecodedImage> {
  const { data, info } = await image
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) throw new Error(`${file}: decoded to ${info.channels} channels, expected 3`);
  return {
    pixels: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
  };
}

/** How shelf photos are decoded for cropping: `full` resolution, or `reduced` (see decodeRgbReduced). */
export type DecodeMode = 'full' | 'reduced';

/** Below this the reduced decode saves too little resampling to pay for libvips' extra resize pass. */
const MIN_REDUCTION = 1.25;
/** libjpeg scales by at most 1/8 while decoding; beyond that libvips' resize would do all the work. */
const MAX_REDUCTION = 8;

/**
 * By how much a photo can be shrunk before cropping while every region stays at least `cropSize` pixels on
 * both sides, so every crop is still a downsample and only the resampling differs from a full-resolution
 * decode. The smallest region decides: one decode per photo serves all of its boxes. 1 = decode in full.
 */
export function chooseReduction(regions: readonly Region[], cropSize: number): number {
  let smallest = Number.POSITIVE_INFINITY;
  for (const r of regions) smallest = Math.min(smallest, r.width, r.height);
  const reduction = Math.min(MAX_REDUCTION, smallest / cropSize);
  return reduction >= MIN_REDUCTION ? reduction : 1;
}

/**
 * Decodes a photo at 1/`reduction` of its size. From a reduction of 3 on, sharp has libjpeg's DCT scaling do
 * most of it while decoding (shrink-on-load by 2, 4 or 8; sharp keeps the last power of two for its resize
 * kernel), so a 12-megapixel shelf decoded for 32-px crops costs about half a full decode; below 3 libvips
 * resizes the full decode. Either way the boxes then resample from `reduction`² times fewer pixels, which
 * is where most of the crop time went (bench/crop.ts).
 */
export async function decodeRgbReduced(
  file: string,
  maxPixels: number,
  size: { width: number; height: number },
  reduction: number,
): Promise<DecodedImage> {
  if (reduction === 1) return await decodeRgb(file, maxPixels);
  const image = sharp(file, { limitInputPixels: maxPixels }).resize(
    Math.ceil(size.width / reduction),
    Math.ceil(size.height / reduction),
    { fit: 'fill' },
  );
  return await packedRgb(file, image);
}

/**
 * A full-resolution region in the coordinates of the same photo decoded at `image`'s (reduced) size, edges
 * kept fractional (the resampler weighs partial pixels) so crops do not shift by rounding to the coarser grid.
 */
export function scaleRegion(
  region: Region,
  from: { width: number; height: number },
  image: DecodedImage,
): Region {
  const sx = image.width / from.width;
  const sy = image.height / from.height;
  const x = Math.min(region.x * sx, image.width - 1);
  const y = Math.min(region.y * sy, image.height - 1);
  const width = Math.max(1, Math.min(image.width - x, region.width * sx));
  const height = Math.max(1, Math.min(image.height - y, region.height * sy));
  return { x, y, width, height };
}

/** Grows a box by `padding` × its size on each side, then clamps it to the image (at least 1×1 pixel). */
export function paddedRegion(
  box: { x1: number; y1: number; x2: number; y2: number },
  padding: number,
  width: number,
  height: number,
): Region {
  const padX = Math.round((box.x2 - box.x1) * padding);
  const padY = Math.round((box.y2 - box.y1) * padding);
  const x1 = Math.min(width - 1, Math.max(0, box.x1 - padX));
  const y1 = Math.min(height - 1, Math.max(0, box.y1 - padY));
  const x2 = Math.max(x1 + 1, Math.min(width, box.x2 + padX));
  const y2 = Math.max(y1 + 1, Math.min(height, box.y2 + padY));
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/**
 * Cuts every region out of one decoded image and resizes each to size×size (stretched: aspect is not kept, as
 * is usual for classification crops), returning them packed NHWC. `js` resamples in-process; `sharp` hands each
 * region to libvips (measured slower for small crops: per-call overhead dominates, see bench/crop.ts).
 */
export async function extractCrops(
  image: DecodedImage,
  regions: readonly Region[],
  size: number,
  resizer: Resizer,
): Promise<Uint8Array> {
  const rowBytes = size * size * 3;
  const out = new Uint8Array(regions.length * rowBytes);
  if (resizer === 'js') {
    regions.forEach((region, i) => {
      resampleRegion(image.pixels, image.width, 3, region, size, size, out, i * rowBytes);
    });
    return out;
  }
  const raw = { width: image.width, height: image.height, channels: 3 as const };
  await Promise.all(
    regions.map(async (region, i) => {
      const crop = await sharp(image.pixels, { raw })
        .extract({ left: region.x, top: region.y, width: region.width, height: region.height })
        .resize(size, size, { fit: 'fill' })
        .raw()
        .toBuffer();
      out.set(crop, i * rowBytes);
    }),
  );
  return out;
}
