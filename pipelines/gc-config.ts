import { z } from 'zod';

/** Run config `gc`: a (scheduled) run collects garbage after it ends, keeping what `shelfssl gc` would. */
export const GcConfigSchema = z.strictObject({
  keepRuns: z.number().int().min(1).max(10_000).default(4),
  keepWeeks: z.number().int().min(0).max(10_000).default(0),
  graceMinutes: z
    .number()
    .int()
    .min(0)
    .max(100_000)
    .default(24 * 60),
});
export type GcConfig = z.infer<typeof GcConfigSchema>;
