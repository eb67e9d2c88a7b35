import { z } from 'zod';

/**
 * training.json of a head artefact: how the head was fitted. Written by the head stage and read by evaluate
 * (and the report) through this one schema, so a format change is a compile error on both sides.
 */
export const HeadTrainingFileSchema = z.object({
  protocol: z.literal('softmax-l2-lbfgs-cv'),
  sampleSize: z.number().int().min(0),
  l2: z.number().positive(),
  /** Stratified CV folds used to choose λ (0: too few labels per class, the fallback λ was used). */
  folds: z.number().int().min(0),
  cv: z.array(
    z.object({
      l2: z.number(),
      logLoss: z.number(),
      accuracy: z.number(),
      iterations: z.number().int(),
    }),
  ),
  /** L-BFGS iterations of the final fit (semi-supervised: of the last round). */
  iterations: z.number().int().min(0),
  converged: z.boolean(),
  gradientNorm: z.number(),
  loss: z.number(),
  trainMs: z.number(),
  rounds: z
    .array(
      z.object({
        round: z.number().int(),
        pseudoLabelled: z.number().int(),
        perClass: z.array(z.number().int()),
        iterations: z.number().int(),
        converged: z.boolean(),
        gradientNorm: z.number(),
      }),
    )
    .optional(),
});

export type HeadTrainingFile = z.infer<typeof HeadTrainingFileSchema>;
