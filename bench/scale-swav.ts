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
  const { gatherRows, ShardedCropRows } = await import('../data/crop/pool-rows.js');
  const { swavSubset } = await import('../activities/stages/swav/swav-training-images.js');
  const { SwavParams, SwavTrainer, resolveSwavSettings, swavTrainerConfig } = await import(
    '../ml/swav/index.js'
  );
  await ensureBackend();
  const poolDir = path.join(dir, 'crops', 'all');
  const index = await readCropIndex(poolDir);
  const source = new ShardedCropRows(poolDir, index);
  // The pretrain stage's own selection and read: a `maxImages` subset, only its rows read, a shard at a time.
  const params = SwavParams.parse({
    arch: { kind: 'small-resnet' },
    epochs: 1,
    maxImages: SCALE_SWAV.images,
  });
  const all = Array.from({ length: index.count }, (_, i) => i);
  const data = await gatherRows(source, swavSubset(index.count, params) ?? all);
  const n = data.n;
  const settings = resolveSwavSettings(params, { cropSize: source.size, images: n });
  const trainer = new SwavTrainer(
    buildBackbone(settings.arch),
    swavTrainerConfig(settings, Math.floor(n / settings.batchSize)),
  );
  const steps = Math.min(SCALE_SWAV.steps, Math.floor(n / settings.batchSize));
  for (let s = 0; s < steps; s++) trainer.trainStep(data);
  trainer.dispose();
  return steps * settings.batchSize;
}
