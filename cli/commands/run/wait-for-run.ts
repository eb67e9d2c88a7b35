import { type Client, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import type { Settings } from '../../../config/settings.js';
import { reportStage } from '../../../pipelines/stages.js';
import { sdkLogFile } from '../../../workers/sdk-log-path.js';
import type { PipelineRunResult } from '../../../workflows/run-result.js';
import { EXIT } from '../../command.js';
import { runDuration } from '../../progress/node-text.js';
import type { RunView } from '../../progress/run-view.js';
import { rendererFor, watchRun } from '../../progress/watch-run.js';
import { parsePipelineRunResult, temporalUiUrl } from '../../runs.js';
import { runSummaryTable } from './summary-table.js';

export type RunOutcome = { ok: true; result: PipelineRunResult } | { ok: false; message: string };

/** The failure's own message: Temporal wraps it (WorkflowFailedError -> ApplicationFailure). */
function failureMessage(err: unknown): string {
  if (err instanceof Error) return err.cause instanceof Error ? err.cause.message : err.message;
  return String(err);
}

/**
 * The run's result. A Temporal server that restarts mid-wait breaks the long poll although the run goes on,
 * so anything but the run's own failure is asked again for up to `retryForMs`.
 */
export async function runOutcome(handle: WorkflowHandle, retryForMs = 10 * 60_000): Promise<RunOutcome> {
  const deadline = Date.now() + retryForMs;
  for (;;) {
    let raw: unknown;
    try {
      raw = await handle.result();
    } catch (err) {
      if (err instanceof WorkflowFailedError || Date.now() > deadline)
        return { ok: false, message: failureMessage(err) };
      await new Promise((r) => setTimeout(r, 2000));
      continue;
    }
    return { ok: true, result: parsePipelineRunResult(raw, handle.workflowId) };
  }
}

/**
 * Shows live progress until the run ends, then the summary table, the workflow id and its UI link.
 * Exit 1 (with the failure message, each error once) when the run failed; a report written from what
 * succeeded is pointed to.
 */
export async function waitForRun(
  client: Client,
  settings: Settings,
  handle: WorkflowHandle,
  log: (line: string) => void = console.log,
  onView?: (view: RunView) => void,
): Promise<{ code: number; outcome: RunOutcome }> {
  log(`started ${handle.workflowId}`);
  // Loaded while the run runs, not before it starts: its S3 reads pull in the MinIO client (~0.2 s).
  const dataQuality = import('./data-quality.js');
  const outcome = runOutcome(handle);
  const final = await watchRun(client, handle.workflowId, outcome, {
    renderer: rendererFor(process.stdout),
    ...(onView ? { onView } : {}),
    write: (lines) => {
      for (const l of lines) log(l);
    },
  });
  const result = await outcome;
  const nodes = final?.nodes ?? (result.ok ? result.result.nodes : []);
  const quality = await (await dataQuality).ingestDataQuality(settings, nodes).catch(() => []);
  if (quality.length > 0) log('');
  for (const line of quality) log(line);
  log('');
  for (const line of runSummaryTable(nodes)) log(line);
  log('');
  const startedAt = (result.ok ? result.result.startedAt : undefined) ?? final?.startedAt;
  const finishedAt = (result.ok ? result.result.finishedAt : undefined) ?? final?.finishedAt;
  if (startedAt !== undefined)
    log(`took     ${runDuration({ startedAt, ...(finishedAt ? { finishedAt } : {}) })}`);
  log(`workflow ${handle.workflowId}`);
  log(`ui       ${temporalUiUrl(settings, handle.workflowId)}`);
  if (!result.ok) {
    if (nodes.some((n) => n.stage === reportStage.name && n.status === 'done'))
      log(`report   written from what succeeded: shelfssl report ${handle.workflowId}`);
    console.error(`run failed: ${result.message}`);
    console.error(`(worker and Temporal SDK log: ${sdkLogFile(settings.dataDir)})`);
    return { code: EXIT.failed, outcome: result };
  }
  return { code: EXIT.ok, outcome: result };
}
