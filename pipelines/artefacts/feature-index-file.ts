import { z } from 'zod';

export const FEATURES_INDEX_VERSION = 3;
/** The entries of a features artefact, one per line, beside its index.json header. */
export const FEATURE_ENTRIES_FILE = 'index.ndjson';

export const FeatureEntrySchema = z.object({
  boxId: z.string(),
  image: z.string(),
  /** `test`: the box lies in the held-out region (its label, if any, is a test label); else `train`. */
  split: z.enum(['train', 'test']),
});

/**
 * index.json of a features artefact, the header: the float32 .npy shards and how many rows they hold. The
 * entries (every crop's box id, photo and region, in row order) are index.ndjson. Label-blind (labels join by
 * box id from the ingest artefact), so changing labels.csv keeps the features cached.
 */
export const FeatureIndexSchema = z.object({
  format: z.literal('shelfssl-features'),
  version: z.literal(FEATURES_INDEX_VERSION, {
    error: `not version ${FEATURES_INDEX_VERSION}: a features index of the old single-document format; re-run the features step`,
  }),
  dtype: z.literal('float32'),
  dim: z.number().int().positive(),
  count: z.number().int(),
  shards: z.array(z.object({ file: z.string(), rows: z.number().int() })),
});
export type FeatureIndexHeader = z.infer<typeof FeatureIndexSchema>;
export type FeatureEntry = z.infer<typeof FeatureEntrySchema>;
/** The header with its entries collected (readers that need every row: heads, evaluation). */
export type FeatureIndex = FeatureIndexHeader & { entries: FeatureEntry[] };
