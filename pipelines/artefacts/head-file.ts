import { z } from 'zod';

/** head.json of a head artefact: a trained linear head, small, diffable, and exactly what evaluate needs. */
export const HeadFileSchema = z.object({
  dim: z.number().int().positive(),
  classes: z.number().int().min(2),
  weights: z.array(z.number()),
  bias: z.array(z.number()),
  mean: z.array(z.number()),
  std: z.array(z.number()),
});
export type HeadFile = z.infer<typeof HeadFileSchema>;
