import { z } from 'zod';
import { UsageError } from '../../config/errors.js';
import { loadSettings } from '../../config/settings.js';
import { bucketOf } from '../../store/artefacts.js';
import { connectClient } from '../client.js';
import { type Command, EXIT, parseFlags } from '../command.js';
import { countByStatus, runDuration } from '../progress/node-text.js';
import { idleQueueLines, runQueueNeeds } from '../queue-pollers.js';
import { temporalUiUrl } from '../runs.js';
import { intFlag, parseFlagValues } from './flags.js';
import { originalRunInput } from './run/rerun-pipeline.js';
import { withIsoTimes } from './status/iso-times.js';
import { listRecentRuns } from './status/list-runs.js';
import { nodeStateTable } from './status/node-table.js';
import { runViewForStatus } from './status/run-view-for-status.js';
import { storeSizeLine } from './status/store-size.js';
import { formatTable } from './text-table.js';

export const statusCommand: Command = {
  name: 'status',
  summary: 'list recent pipeline runs, or show the per-node state of one run',
  usage: [
    'Usage: shelfssl status [<workflowId>] [--json] [--limit N]',
    '',
    'Without an id: the most recent pipelineRun and predictRun workflows (id, status, start time, config hash), at most',
    '--limit (default 20). With an id: every node of that run (running or finished) with its status,',
    'progress, duration and, for sweep points, the child workflow that runs it. --json prints raw data.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { json: { type: 'boolean' }, limit: { type: 'string' } },
      true,
    );
    if (positionals.length > 1)
      throw new UsageError(`status: at most one workflow id, got ${positionals.join(' ')}`);
    const { limit } = parseFlagValues(z.object({ limit: intFlag(1, 1000, '20').default(20) }), {
      limit: values.limit,
    });
    const settings = loadSettings();
    const { client, close } = await connectClient(settings);
    try {
      const [workflowId] = positionals;
      if (workflowId === undefined) {
        const runs = await listRecentRuns(client, limit);
        if (values.json) console.log(JSON.stringify(runs, null, 2));
        else if (runs.length === 0) console.log('no pipeline runs yet: start one with `shelfssl run`');
        else {
          const rows = runs.map((r) => [r.workflowId, r.status, r.startTime, r.configHash ?? '-']);
          for (const l of formatTable(['workflow', 'status', 'started', 'config hash'], rows)) console.log(l);
        }
        if (!values.json) console.log(await storeSizeLine(bucketOf(settings)));
        return EXIT.ok;
      }
      const view = await runViewForStatus(client, workflowId);
      if (values.json) {
        console.log(JSON.stringify(withIsoTimes(view), null, 2));
        return EXIT.ok;
      }
      console.log(
        `run ${workflowId}: ${view.pipeline} ${view.status}, ${runDuration(view)} (${countByStatus(view.nodes)})`,
      );
      for (const l of nodeStateTable(view.nodes)) console.log(l);
      if (view.status === 'running') {
        const input = await originalRunInput(client, workflowId).catch(() => undefined);
        const queues = input?.options.taskQueues ?? settings.temporal.taskQueues;
        for (const l of await idleQueueLines(client, runQueueNeeds(queues))) console.log(l);
      }
      console.log(`ui ${temporalUiUrl(settings, workflowId)}`);
      return EXIT.ok;
    } finally {
      await close();
    }
  },
};
