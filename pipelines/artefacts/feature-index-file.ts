import { z } from 'zod';

const EntrySchema = z.object({
  boxId: z.string(),
  image: z.string(),
  /** `test`: the box lies in the held-out region (its label, if any, is a test label); else `train`. */
  split: z.enum(['train', 'test']),
});

/**
 * index.json of a features artefact: every crop's row in the float32 .npy shards. Label-blind (labels join by
 * box id from the ingest artefact), so changing labels.csv keeps the features cached.
 */
export const FeatureIndexSchema = z.object({
  format: z.literal('shelfssl-features'),
  version: z.literal(2),
  dtype: z.literal('float32'),
  dim: z.number().int().positive(),
  count: z.number().int(),
  shards: z.array(z.object({ file: z.string(), rows: z.number().int() })),
  entries: z.array(EntrySchema),
});
export type FeatureIndex = z.infer<typeof FeatureIndexSchema>;
export type FeatureEntry = z.infer<typeof EntrySchema>;
