import { z } from 'zod';

/** What a running stage reports: heartbeat details, workflow query state, and the CLI's progress bars. */
export const StageProgressSchema = z.strictObject({
  done: z.number().nonnegative().optional(),
  total: z.number().nonnegative().optional(),
  unit: z.string().optional(),
  epoch: z.number().int().nonnegative().optional(),
  step: z.number().int().nonnegative().optional(),
  loss: z.number().optional(),
  message: z.string().optional(),
  checkpointKey: z.string().optional(),
  at: z.number().optional(),
});
export type StageProgress = z.infer<typeof StageProgressSchema>;
