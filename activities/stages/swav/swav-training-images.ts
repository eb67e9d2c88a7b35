import { createRng, permutation } from '../../../ml/random.js';
import type { ImageBatch, ResolvedSwavSettings } from '../../../ml/swav/index.js';

/** The training crops, or a seeded subset of `maxImages` of them: SwAV never sees a label. */
export function swavTrainingImages(
  pool: ImageBatch,
  params: Pick<ResolvedSwavSettings, 'maxImages' | 'seed'>,
): ImageBatch {
  if (params.maxImages === 0 || params.maxImages >= pool.n) return pool;
  const per = pool.h * pool.w * pool.c;
  const chosen = permutation(pool.n, createRng(params.seed)).slice(0, params.maxImages);
  const pixels = new Uint8Array(chosen.length * per);
  chosen.forEach((row, i) => {
    pixels.set(pool.pixels.subarray(row * per, (row + 1) * per), i * per);
  });
  return { ...pool, pixels, n: chosen.length };
}
