import type { Client } from '@temporalio/client';
import { pipelineRun } from '../../../workflows/pipeline-run.js';
import { predictRun } from '../../../workflows/predict-run.js';

export interface RunListing {
  workflowId: string;
  status: string;
  startTime: string;
  closeTime?: string;
  configHash?: string;
  pipeline?: string;
}

function memoString(memo: Record<string, unknown> | undefined, key: string): string | undefined {
  const v = memo?.[key];
  return typeof v === 'string' ? v : undefined;
}

/**
 * The most recent `pipelineRun` and `predictRun` workflows, newest first (sweep points are child `dagGroupRun`s,
 * not listed).
 */
export async function listRecentRuns(client: Client, limit: number): Promise<RunListing[]> {
  const out: RunListing[] = [];
  for await (const info of client.workflow.list({
    query: `WorkflowType = '${pipelineRun.name}' OR WorkflowType = '${predictRun.name}'`,
    pageSize: limit,
  })) {
    const configHash = memoString(info.memo, 'configHash');
    const pipeline = memoString(info.memo, 'pipeline');
    out.push({
      workflowId: info.workflowId,
      status: info.status.name,
      startTime: info.startTime.toISOString(),
      ...(info.closeTime ? { closeTime: info.closeTime.toISOString() } : {}),
      ...(configHash ? { configHash } : {}),
      ...(pipeline ? { pipeline } : {}),
    });
    if (out.length >= limit) break;
  }
  return out;
}
