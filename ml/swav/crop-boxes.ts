import type { Rng } from '../random.js';

/** Normalised [y1, x1, y2, x2] box as `tf.image.cropAndResize` expects it. */
export type CropBox = [number, number, number, number];

const MIN_LOG_RATIO = Math.log(3 / 4);
const MAX_LOG_RATIO = Math.log(4 / 3);

/**
 * torchvision's RandomResizedCrop box: area share drawn from `scale`, aspect ratio log-uniform in
 * [3/4, 4/3], ten tries, then a centred crop of clamped ratio. Returned in normalised coordinates that
 * address pixel centres (pixel i ↔ i / (size - 1)), so the crop covers exactly the chosen pixels.
 * `flip` swaps x1 and x2, which makes cropAndResize sample the box mirrored: a free horizontal flip.
 */
export function randomResizedCropBox(
  height: number,
  width: number,
  scale: readonly [number, number],
  flip: boolean,
  rng: Rng,
): CropBox {
  const [top, left, h, w] = pickCropPixels(height, width, scale, rng);
  const y1 = top / Math.max(1, height - 1);
  const y2 = (top + h - 1) / Math.max(1, height - 1);
  const x1 = left / Math.max(1, width - 1);
  const x2 = (left + w - 1) / Math.max(1, width - 1);
  return flip ? [y1, x2, y2, x1] : [y1, x1, y2, x2];
}

function pickCropPixels(
  height: number,
  width: number,
  scale: readonly [number, number],
  rng: Rng,
): [number, number, number, number] {
  const area = height * width;
  for (let attempt = 0; attempt < 10; attempt++) {
    const targetArea = area * rng.uniform(scale[0], scale[1]);
    const ratio = Math.exp(rng.uniform(MIN_LOG_RATIO, MAX_LOG_RATIO));
    const w = Math.round(Math.sqrt(targetArea * ratio));
    const h = Math.round(Math.sqrt(targetArea / ratio));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return [rng.int(height - h + 1), rng.int(width - w + 1), h, w];
    }
  }
  return centredFallback(height, width);
}

function centredFallback(height: number, width: number): [number, number, number, number] {
  const ratio = width / height;
  let w = width;
  let h = height;
  if (ratio < 3 / 4) h = Math.round(w / (3 / 4));
  else if (ratio > 4 / 3) w = Math.round(h * (4 / 3));
  h = Math.min(h, height);
  w = Math.min(w, width);
  return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
}
