import { z } from 'zod';

/** predictions.json of an evaluate artefact: every test crop with its label, prediction and confidence. */
export const PredictionsFileSchema = z.array(
  z.object({
    boxId: z.string(),
    image: z.string(),
    label: z.number().int().nullable(),
    predicted: z.number().int(),
    confidence: z.number(),
  }),
);

/** shelf-counts.json of an evaluate artefact: predicted facings per class for every shelf image. */
export const ShelfCountsFileSchema = z.object({
  classes: z.array(z.string()),
  counts: z.record(z.string(), z.array(z.number())),
});
