import type { Client, WorkflowHandle } from '@temporalio/client';
import { loadSettings, type Settings } from '../../../config/settings.js';
import { serviceForRun } from '../../../infra/worker-service.js';
import { sdkLogFile } from '../../../workers/sdk-log-path.js';
import { connectClient } from '../../client.js';
import { EXIT } from '../../command.js';
import { idleQueueLines, runQueueNeeds } from '../../queue-pollers.js';
import { temporalUiUrl } from '../../runs.js';
import { needsGpuWorker, startLocalWorkers } from './local-workers.js';
import { type RunOutcome, waitForRun } from './wait-for-run.js';

export interface ExecuteOptions {
  /** Start and return at once, printing the id: a `shelfssl worker` elsewhere does the work. */
  detach: boolean;
  /** Run the cpu and gpu workers in this process while waiting (off: workers run elsewhere). */
  localWorkers: boolean;
  /** Dataset and model folders of the user's own plan, added to the local workers' data roots. */
  dataRoots?: readonly string[];
  /** `--verbose`: name the Temporal SDK's log file at the start. */
  verbose?: boolean;
  /** After a successful run, e.g. the sweep's accuracy table. */
  afterSuccess?: (
    client: Client,
    settings: Settings,
    outcome: Extract<RunOutcome, { ok: true }>,
  ) => Promise<void>;
}

/**
 * The shared body of `run`, `sweep` and `rerun`: start the workflow, then either detach or serve it with
 * local workers while showing progress; exit 1 when the run fails.
 */
export async function executeRun(
  start: (client: Client, settings: Settings) => Promise<WorkflowHandle>,
  opts: ExecuteOptions,
): Promise<number> {
  const settings = loadSettings();
  const { client, close } = await connectClient(settings);
  const roots = opts.dataRoots ?? [];
  // The workers `infra up` left running, when there are: nothing to start or stop here.
  const service = opts.localWorkers ? await serviceForRun(settings, roots, console.log) : undefined;
  // Started beside the workflow, not after it: a worker process takes about a second to come up.
  const starting =
    opts.localWorkers && !opts.detach && !service ? startLocalWorkers(settings, roots) : undefined;
  try {
    const handle = await start(client, settings).catch(async (err: unknown) => {
      await (await starting?.catch(() => undefined))?.stop();
      throw err;
    });
    if (opts.detach) {
      console.log(
        `started ${handle.workflowId} (detached: ${service ? 'the local workers of `infra up` run it' : 'needs `shelfssl worker` for cpu and gpu running'})`,
      );
      console.log(`ui ${temporalUiUrl(settings, handle.workflowId)}`);
      console.log(`follow it with \`shelfssl status ${handle.workflowId}\``);
      for (const line of await idleQueueLines(client, runQueueNeeds(settings.temporal.taskQueues)))
        console.log(line);
      return EXIT.ok;
    }
    if (opts.verbose) console.log(`sdk log  ${sdkLogFile(settings.dataDir)}`);
    const workers = await starting;
    try {
      const { code, outcome } = await waitForRun(client, settings, handle, console.log, (view) => {
        if (workers && needsGpuWorker(view.nodes)) workers.ensureGpu();
      });
      if (outcome.ok && opts.afterSuccess) await opts.afterSuccess(client, settings, outcome);
      console.log('');
      console.log(
        outcome.ok
          ? `next: \`shelfssl report ${handle.workflowId}\` (the Excel report)`
          : `next: \`shelfssl status ${handle.workflowId}\`, fix the cause, then \`shelfssl rerun ${handle.workflowId} --stage <stage>\``,
      );
      return code;
    } finally {
      await workers?.stop();
    }
  } finally {
    await close();
  }
}
