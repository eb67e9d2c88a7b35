import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { Settings } from '../../../config/settings.js';
import { reportStage } from '../../../pipelines/stages.js';
import { bucketOf, readArtefactFile, readManifest } from '../../../store/artefacts.js';
import {
  failureSummary,
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

/** The innermost message of a Temporal failure ("Workflow execution failed" wraps the real one). */
function causeText(err: unknown): string {
  let e: unknown = err;
  while (e instanceof Error && e.cause instanceof Error) e = e.cause;
  return e instanceof Error ? e.message : String(e);
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
    throw new Error(
      `run ${workflowId} failed before it could write a report (${causeText(err)}); no report exists. ` +
        `See which nodes failed with \`shelfssl status ${workflowId}\``,
    );
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
      [
        `no report exists for run ${workflowId}; ${failureSummary(result.nodes) ?? 'no node failed'}`,
        `  see \`shelfssl status ${workflowId}\`, fix the cause, then \`shelfssl rerun ${workflowId} --stage <stage>\``,
        `run ${workflowId} wrote no report: node ${reportNode.id} ${reportNode.status} ${reasonText(reportNode)}`.trim(),
      ].join('\n'),
    );
  if (!ref)
    throw new Error(
      `run ${workflowId} has no ${reportStage.name} node (nodes: ${Object.keys(result.refs).join(', ')})`,
    );
  const bucket = bucketOf(settings);
  const manifest = await readManifest(bucket, ref.stage, ref.key);
  if (!manifest)
    throw new Error(
      `report artefact ${ref.stage}/${ref.key} is gone from the store; re-run with --stage report`,
    );
  // The run's Temporal history recorded the digest of the report it wrote: a manifest of other content at
  // that key (a later run's report, or a rewrite) is not this run's report.
  if (manifest.digest !== ref.digest)
    throw new Error(
      `report artefact ${ref.stage}/${ref.key} now holds digest ${manifest.digest.slice(0, 12)}, but run ` +
        `${workflowId} recorded ${ref.digest.slice(0, 12)} in its history: it was replaced since (a later run of ` +
        `the same inputs, or a rewrite); run \`shelfssl rerun ${workflowId} --stage report\` for a fresh one`,
    );
  const data = await readArtefactFile(bucket, manifest, REPORT_FILE);
  const target = path.resolve(out);
  await writeFile(target, data);
  return { path: target, bytes: data.length };
}
