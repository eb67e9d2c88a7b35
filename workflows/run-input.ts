import { z } from 'zod';
import { DagNodeSchema, DagPlanSchema } from '../pipelines/dag.js';
import { ArtefactRefSchema } from '../store/artefact-schema.js';

export const RunOptionsSchema = z.strictObject({
  taskQueues: z.strictObject({ cpu: z.string().min(1), gpu: z.string().min(1) }),
  /** Recompute every node, ignoring the cache. */
  force: z.boolean().default(false),
  /** Recompute these stages and everything downstream of them; the rest may come from the cache. */
  recomputeStages: z.array(z.string()).default([]),
  /** How many sweep points (child workflows) run at once. */
  maxParallelGroups: z.number().int().min(1).default(4),
});

export const PipelineRunInputSchema = z.strictObject({
  plan: DagPlanSchema,
  options: RunOptionsSchema,
  /** Set for scheduled runs: nodes whose params hold `isoWeek: "auto"` get the run's ISO week. */
  scheduled: z.boolean().default(false),
});
export type PipelineRunInput = z.input<typeof PipelineRunInputSchema>;

export const GroupRunInputSchema = z.strictObject({
  pipeline: z.string(),
  group: z.string(),
  nodes: z.array(DagNodeSchema).min(1),
  external: z.record(z.string(), ArtefactRefSchema),
  /** Inputs from the parent that failed: id -> the failed node(s) behind it; members needing them are skipped. */
  failedExternal: z.record(z.string(), z.array(z.string()).min(1)).default({}),
  forced: z.array(z.string()),
  taskQueues: RunOptionsSchema.shape.taskQueues,
});
export type GroupRunInput = z.infer<typeof GroupRunInputSchema>;
/** What a parent may send a sweep point (defaults not yet filled in). */
export type GroupRunRequest = z.input<typeof GroupRunInputSchema>;
