import { defineSignal } from '@temporalio/workflow';
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

/** A stage's progress as the workflow receives it; the handler parses it, as any signal is outside input. */
export const StageProgressUpdateSchema = z.strictObject({
  nodeId: z.string(),
  progress: StageProgressSchema,
});
export type StageProgressUpdate = z.infer<typeof StageProgressUpdateSchema>;

/**
 * Throttled progress from a running stage's activity to the workflow that runs it, so the `runState` query
 * shows live progress. Declared here, below both sides, because activities must not import workflows/.
 */
export const stageProgressSignal = defineSignal<[StageProgressUpdate]>('stageProgress');
