import sharp from 'sharp';
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
  const { data, info } = await sharp(file, { limitInputPixels: maxPixels })
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
