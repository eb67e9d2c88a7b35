import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Settings } from '../../../config/settings.js';
import { reportStage } from '../../../pipelines/stages.js';
import { readArtefactFile, readManifest } from '../../../store/artefacts.js';
import { createS3Client } from '../../../store/s3.js';
import type { PipelineRunResult } from '../../../workflows/pipeline-run.js';

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
 * Waits for the run's result (a finished run answers at once), then downloads its `report.xlsx` from the
 * artefact store, checking the sha256 the manifest recorded, and writes it to `out`.
 */
export async function downloadRunReport(
  client: Client,
  settings: Settings,
  workflowId: string,
  out: string,
): Promise<{ path: string; bytes: number }> {
  const result = (await client.workflow.getHandle(workflowId).result()) as PipelineRunResult;
  const ref = reportRef(result);
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
