import { z } from 'zod';
import { HeadMode } from './head-mode.js';

/** metrics.json of an evaluate artefact: written by evaluate, read by the report through this one schema. */
export const EvalMetricsFileSchema = z.object({
  backbone: z.string(),
  mode: HeadMode,
  fraction: z.number(),
  seed: z.number().int(),
  classes: z.array(z.string()),
  accuracy: z.number().min(0).max(1),
  macro: z.object({ precision: z.number(), recall: z.number(), f1: z.number() }),
  perClass: z.array(
    z.object({
      cls: z.string(),
      precision: z.number(),
      recall: z.number(),
      f1: z.number(),
      support: z.number(),
    }),
  ),
  confusion: z.array(z.array(z.number())),
  testSize: z.number().int(),
  /** How the head was fitted (from its training.json). */
  iterations: z.number().int().min(0),
  converged: z.boolean(),
  l2: z.number().positive(),
  trainMs: z.number(),
  sampleSize: z.number().int(),
});

export type EvalMetricsFile = z.infer<typeof EvalMetricsFileSchema>;
