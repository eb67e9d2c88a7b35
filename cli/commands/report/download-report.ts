import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Settings } from '../../../config/settings.js';
import { reportStage } from '../../../pipelines/stages.js';
import { readArtefactFile, readManifest } from '../../../store/artefacts.js';
import { createS3Client } from '../../../store/s3.js';
import {
  type PipelineRunResult,
  PipelineRunResultSchema,
  partialResultOf,
} from '../../../workflows/run-result.js';
import { reasonText } from '../../progress/node-text.js';
import { parsePipelineRunResult } from '../../runs.js';

export const REPORT_FILE = 'report.xlsx';

/** The report node's artefact: the node called `report`, else the only node of the report stage. */
function reportRef(result: PipelineRunResult) {
  const byId = result.refs.report;
  if (byId?.stage === reportStage.name) return byId;
  const refs = Object.values(result.refs).filter((r) => r.stage === reportStage.name);
  if (refs.length === 1) return refs[0];
  return undefined;
}

/**
 * The run's result once it ends. A run in which some nodes failed still wrote its report from what succeeded;
 * its result rides in the failure, so a weekly report never vanishes because one branch failed.
 */
export async function finishedRunResult(client: Client, workflowId: string): Promise<PipelineRunResult> {
  let raw: unknown;
  try {
    raw = await client.workflow.getHandle(workflowId).result();
  } catch (err) {
    const partial = partialResultOf(err, 'PipelineFailed', PipelineRunResultSchema);
    if (partial) return partial;
    throw err;
  }
  return parsePipelineRunResult(raw, workflowId);
}

/**
 * Waits for the run's result (a finished run answers at once), then downloads its `report.xlsx` from the
 * artefact store, checking the sha256 the manifest recorded, and writes it to `out`.
 */
export async function downloadRunReport(
  client: Client,
  settings: Settings,
  workflowId: string,
  out: string,
): Promise<{ path: string; bytes: number }> {
  const result = await finishedRunResult(client, workflowId);
  const ref = reportRef(result);
  const reportNode = result.nodes.find((n) => n.stage === reportStage.name);
  if (!ref && reportNode)
    throw new Error(
      `run ${workflowId} wrote no report: node ${reportNode.id} ${reportNode.status} ${reasonText(reportNode)}`.trim(),
    );
  if (!ref)
    throw new Error(
      `run ${workflowId} has no ${reportStage.name} node (nodes: ${Object.keys(result.refs).join(', ')})`,
    );
  const bucket = { s3: createS3Client(settings.s3), bucket: settings.s3.bucket };
  const manifest = await readManifest(bucket, ref.stage, ref.key);
  if (!manifest)
    throw new Error(
      `report artefact ${ref.stage}/${ref.key} is gone from the store; re-run with --stage report`,
    );
  const data = await readArtefactFile(bucket, manifest, REPORT_FILE);
  const target = path.resolve(out);
  await writeFile(target, data);
  return { path: target, bytes: data.length };
}
