import { z } from 'zod';

const EntrySchema = z.object({
  boxId: z.string(),
  image: z.string(),
  split: z.enum(['train', 'test']).nullable(),
  label: z.number().int().nullable(),
});
const PoolSchema = z.object({
  count: z.number().int(),
  shards: z.array(z.object({ file: z.string(), rows: z.number().int() })),
  entries: z.array(EntrySchema),
});

/** index.json of a features artefact: per pool, its float32 .npy shards and what each row is. */
export const FeatureIndexSchema = z.object({
  format: z.literal('shelfssl-features'),
  version: z.literal(1),
  dtype: z.literal('float32'),
  dim: z.number().int().positive(),
  classes: z.array(z.string()),
  pools: z.object({ labelled: PoolSchema, unlabelled: PoolSchema }),
});
export type FeatureIndex = z.infer<typeof FeatureIndexSchema>;
export type FeatureEntry = z.infer<typeof EntrySchema>;
