import { createRng, permutation } from '../../../ml/random.js';
import type { ImageBatch, ResolvedSwavSettings } from '../../../ml/swav/index.js';

/** Which of `n` training crops SwAV uses: all (null), or a seeded subset of `maxImages` of them, in draw order. */
export function swavSubset(
  n: number,
  params: Pick<ResolvedSwavSettings, 'maxImages' | 'seed'>,
): number[] | null {
  if (params.maxImages === 0 || params.maxImages >= n) return null;
  return permutation(n, createRng(params.seed)).slice(0, params.maxImages);
}

/** The training crops, or a seeded subset of `maxImages` of them: SwAV never sees a label. */
export function swavTrainingImages(
  pool: ImageBatch,
  params: Pick<ResolvedSwavSettings, 'maxImages' | 'seed'>,
): ImageBatch {
  const chosen = swavSubset(pool.n, params);
  if (!chosen) return pool;
  const per = pool.h * pool.w * pool.c;
  const pixels = new Uint8Array(chosen.length * per);
  chosen.forEach((row, i) => {
    pixels.set(pool.pixels.subarray(row * per, (row + 1) * per), i * per);
  });
  return { ...pool, pixels, n: chosen.length };
}
