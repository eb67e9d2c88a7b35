import path from 'node:path';

/** Crops SwAV trains on in the scale run, and the steps it takes: a short run, for throughput and memory. */
export const SCALE_SWAV = { images: 10_000, steps: 150 } as const;

/**
 * A short SwAV in the scale run: a seeded subset of the pool (SwAV's `maxImages`, the way the pretrain stage
 * bounds its memory on a large pool) read a shard at a time, then `steps` optimiser steps with the default
 * recipe on the 32-px small ResNet. Returns the crops it trained on (steps × batch).
 */
export async function swavStage(dir: string): Promise<number> {
  const { ensureBackend } = await import('../activities/stages/support/ml-runtime.js');
  const { buildBackbone } = await import('../ml/models/index.js');
  const { readCropIndex } = await import('../data/crop/index.js');
  const { ShardedCropRows } = await import('../data/crop/pool-rows.js');
  const { createRng, permutation } = await import('../ml/random.js');
  const { SwavParams, SwavTrainer, resolveSwavSettings, swavTrainerConfig } = await import(
    '../ml/swav/index.js'
  );
  await ensureBackend();
  const poolDir = path.join(dir, 'crops', 'all');
  const index = await readCropIndex(poolDir);
  const source = new ShardedCropRows(poolDir, index);
  const n = Math.min(SCALE_SWAV.images, index.count);
  const chosen = permutation(index.count, createRng(11))
    .slice(0, n)
    .sort((a, b) => a - b);
  const per = source.size * source.size * 3;
  const pixels = new Uint8Array(n * per);
  for (const [i, row] of chosen.entries()) pixels.set(await source.rows(row, 1), i * per);
  const settings = resolveSwavSettings(SwavParams.parse({ arch: { kind: 'small-resnet' }, epochs: 1 }), {
    cropSize: source.size,
    images: n,
  });
  const trainer = new SwavTrainer(
    buildBackbone(settings.arch),
    swavTrainerConfig(settings, Math.floor(n / settings.batchSize)),
  );
  const data = { pixels, n, h: source.size, w: source.size, c: 3 };
  const steps = Math.min(SCALE_SWAV.steps, Math.floor(n / settings.batchSize));
  for (let s = 0; s < steps; s++) trainer.trainStep(data);
  trainer.dispose();
  return steps * settings.batchSize;
}
