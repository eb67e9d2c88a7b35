import type { Client } from '@temporalio/client';
import { collectRunView, type RunView } from '../../progress/run-view.js';
import { hasPollers } from '../../queue-pollers.js';
import { parsePipelineRunResult } from '../../runs.js';
import { runOutcome } from '../run/wait-for-run.js';

/** A query waits for a worker to replay the history; without one it would hang, so give up after this. */
const QUERY_DEADLINE_MS = 10_000;

/**
 * The run's per-node state. A completed run answers from its result (no worker needed: a user checking an
 * old run may have none); a running or failed one from the `runState` query, which needs a worker on the
 * run's task queue, and the error says so when none answers.
 */
export async function runViewForStatus(client: Client, workflowId: string): Promise<RunView> {
  const handle = client.workflow.getHandle(workflowId);
  const info = await handle.describe().catch((err: Error) => {
    throw new Error(`workflow "${workflowId}" not found (${err.message})`);
  });
  if (info.status.name === 'COMPLETED') {
    const result = parsePipelineRunResult(await handle.result(), workflowId);
    return {
      workflowId,
      pipeline: result.pipeline,
      startedAt: result.startedAt ?? info.startTime.getTime(),
      ...(result.finishedAt !== undefined || info.closeTime
        ? { finishedAt: result.finishedAt ?? info.closeTime!.getTime() }
        : {}),
      status: 'completed',
      nodes: result.nodes,
    };
  }
  const polled = await hasPollers(client, info.taskQueue, 'workflow').catch(() => true);
  if (!polled) {
    const outcome = info.status.name === 'RUNNING' ? undefined : await runOutcome(handle);
    const why = outcome && !outcome.ok ? ` (${outcome.message})` : '';
    throw new Error(
      `run ${workflowId} is ${info.status.name}${why}; waiting for a worker on queue ${info.taskQueue} ` +
        '(none polling): its node states need one to answer the query (start `shelfssl worker --queue cpu`)',
    );
  }
  try {
    return await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () =>
      collectRunView(client, workflowId),
    );
  } catch (err) {
    const outcome = info.status.name === 'RUNNING' ? undefined : await runOutcome(handle);
    const why = outcome && !outcome.ok ? ` (${outcome.message})` : '';
    throw new Error(
      `run ${workflowId} is ${info.status.name}${why}; its node states need a worker on task queue ` +
        `${info.taskQueue} to answer the query (start \`shelfssl worker\`): ${(err as Error).message}`,
    );
  }
}
