import { defineQuery } from '@temporalio/workflow';
import { z } from 'zod';
import { StageProgressSchema } from '../pipelines/progress.js';
import { ArtefactRefSchema } from '../store/artefact-schema.js';

export const NodeStatusSchema = z.enum([
  'pending',
  'checking',
  'cached',
  'running',
  'done',
  'failed',
  'skipped',
]);
export type NodeStatus = z.infer<typeof NodeStatusSchema>;

/** One node as the run sees it; a schema because it also travels back from sweep children in their failure. */
export const NodeStateSchema = z.object({
  id: z.string(),
  stage: z.string(),
  group: z.string().optional(),
  status: NodeStatusSchema,
  cacheHit: z.boolean().optional(),
  missReason: z.string().optional(),
  attempts: z.number().optional(),
  startedAt: z.number().optional(),
  durationMs: z.number().optional(),
  progress: StageProgressSchema.optional(),
  /** Only on the node that failed; its dependants name it in `upstream` instead of copying the message. */
  error: z.string().optional(),
  /** A skipped node: the failed node(s) it depends on, directly or further up. */
  upstream: z.array(z.string()).optional(),
  ref: ArtefactRefSchema.optional(),
  /** Workflow id of the child that runs this node (sweep points). */
  child: z.string().optional(),
});
export type NodeState = z.infer<typeof NodeStateSchema>;

export interface RunState {
  pipeline: string;
  startedAt: number;
  finishedAt?: number;
  status: 'running' | 'completed' | 'failed';
  nodes: NodeState[];
}

/**
 * The run's live state, answered by `pipelineRun` and by each sweep point's `dagGroupRun`. The one contract
 * the workflows, the CLI and the tests share: `handle.query(runStateQuery)`, never the query's name.
 */
export const runStateQuery = defineQuery<RunState>('runState');
