import { z } from 'zod';

/** One reason input was rejected or warned about: how many, and a few examples to find it by. */
export const PredictReasonSchema = z.object({
  count: z.number().int().nonnegative(),
  examples: z.array(z.object({ file: z.string(), line: z.number(), detail: z.string() })),
});
export type PredictReason = z.infer<typeof PredictReasonSchema>;

/**
 * input.json of predict-input: the new shelf photos to classify, each with its content sha256 (so the shards'
 * cache keys follow the pixels, not file times), its good boxes and its store; plus what was rejected and why.
 */
export const PredictInputFileSchema = z.object({
  location: z.string(),
  images: z.array(
    z.object({
      name: z.string().min(1),
      sha256: z.string().regex(/^[0-9a-f]{64}$/),
      width: z.number().int().positive(),
      height: z.number().int().positive(),
      store: z.string().nullable(),
      boxes: z.array(
        z.object({
          boxId: z.string(),
          x1: z.number().int(),
          y1: z.number().int(),
          x2: z.number().int(),
          y2: z.number().int(),
        }),
      ),
    }),
  ),
  counts: z.object({
    rows: z.number().int().nonnegative(),
    goodBoxes: z.number().int().nonnegative(),
    badRows: z.number().int().nonnegative(),
    images: z.number().int().nonnegative(),
    storeRows: z.number().int().nonnegative(),
  }),
  bad: z.record(z.string(), PredictReasonSchema),
  warnings: z.record(z.string(), PredictReasonSchema),
});
export type PredictInputFile = z.infer<typeof PredictInputFileSchema>;

/** predictions.json of one predict-shard: the arg-max class and its probability for every box of its images. */
export const ShardPredictionsFileSchema = z.object({
  shard: z.number().int().nonnegative(),
  images: z.number().int().nonnegative(),
  rows: z.array(
    z.object({
      image: z.string(),
      boxId: z.string(),
      box: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      label: z.number().int().nonnegative(),
      confidence: z.number().min(0).max(1),
    }),
  ),
});
export type ShardPredictionsFile = z.infer<typeof ShardPredictionsFileSchema>;

/** summary.json of predict-merge: what was classified, with what model, and everything that was not. */
export const PredictSummaryFileSchema = z.object({
  model: z.object({ runId: z.string(), config: z.string(), alias: z.string().nullable() }),
  classes: z.array(z.string()),
  unknownBelow: z.number(),
  counts: z.object({
    images: z.number().int(),
    boxes: z.number().int(),
    unknown: z.number().int(),
    badRows: z.number().int(),
    rows: z.number().int(),
    stores: z.number().int(),
  }),
  perClass: z.record(z.string(), z.number().int()),
  bad: z.record(z.string(), PredictReasonSchema),
  warnings: z.record(z.string(), PredictReasonSchema),
});
export type PredictSummaryFile = z.infer<typeof PredictSummaryFileSchema>;
