import { ApplicationFailure } from '@temporalio/common';
import { z } from 'zod';
import { ArtefactRefSchema } from '../store/artefact-schema.js';
import { type NodeState, NodeStateSchema } from './run-state.js';
import { uniqueIds, upstreamText } from './upstream.js';

/** What a sweep point (child workflow) hands back: its nodes' states and the artefacts it produced. */
export const GroupRunResultSchema = z.object({
  nodes: z.array(NodeStateSchema),
  refs: z.record(z.string(), ArtefactRefSchema),
});
export type GroupRunResult = z.infer<typeof GroupRunResultSchema>;

export const PipelineRunResultSchema = GroupRunResultSchema.extend({
  pipeline: z.string(),
  isoWeek: z.string(),
  /** Epoch ms by the workflow's clock; absent in results of runs from before they were recorded. */
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
});
export type PipelineRunResult = z.infer<typeof PipelineRunResultSchema>;

export type PartialRunType = 'PipelineFailed' | 'GroupFailed';

/**
 * `1 stage(s) failed: backbone@swav: <error>; 12 skipped (upstream: backbone@swav)`: each error once, at the
 * node that failed. Undefined when every node produced its artefact.
 */
export function failureSummary(nodes: readonly NodeState[]): string | undefined {
  const failed = nodes.filter((n) => n.status === 'failed');
  const skipped = nodes.filter((n) => n.status === 'skipped');
  const parts: string[] = [];
  if (failed.length > 0)
    parts.push(
      `${failed.length} stage(s) failed: ${failed.map((n) => `${n.id}: ${n.error ?? 'failed'}`).join('; ')}`,
    );
  if (skipped.length > 0)
    parts.push(
      `${skipped.length} skipped (${upstreamText(uniqueIds(skipped.flatMap((n) => n.upstream ?? [])))})`,
    );
  return parts.length > 0 ? parts.join('; ') : undefined;
}

/**
 * A run that ended with failed nodes still fails (Temporal, the CLI's exit code), but it carries what it
 * produced in the failure's details: the parent keeps a sweep point's finished nodes, and `shelfssl report`
 * finds the report of a run that failed elsewhere.
 */
export function partialRunFailure(
  type: PartialRunType,
  message: string,
  result: GroupRunResult,
): ApplicationFailure {
  return ApplicationFailure.create({ type, message, nonRetryable: true, details: [result] });
}

/** The partial result a failure carries, through any wrapper (child workflow, client error); else undefined. */
export function partialResultOf<S extends z.ZodType>(
  err: unknown,
  type: PartialRunType,
  schema: S,
): z.output<S> | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof ApplicationFailure && e.type === type) {
      const parsed = schema.safeParse(e.details?.[0]);
      return parsed.success ? parsed.data : undefined;
    }
  }
  return undefined;
}
