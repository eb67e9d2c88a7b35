// Records the workflow histories test/upgrade/replay.test.ts replays, from real runs on the harness's private
// Temporal + MinIO. Not a *.test.js: it runs only when asked, to refresh the fixtures deliberately:
//   npm run record-histories   (npm run build && node test/run.mjs dist/test/upgrade/record-histories.js)
// Record with the workflow code that is deployed (e.g. `main` before your change), then commit the files.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { rerunPipeline } from '../../cli/commands/run/rerun-pipeline.js';
import { createPipelineSchedule } from '../../cli/commands/schedule/create-schedule.js';
import { startPipelineRun } from '../../cli/runs.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import {
  FAKE_STAGES,
  flakyControl,
  flakyStage,
  generateStage,
  scaleStage,
  sumStage,
} from '../support/fake-stages.js';
import { startWebhookServer } from '../support/webhook-server.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';
import { HISTORIES_DIR, type HistoryFixture, historyToFixtureJson } from './histories.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function save(file: string, description: string, handle: WorkflowHandle): Promise<void> {
  const history = historyToFixtureJson(await handle.fetchHistory());
  const type = (await handle.describe()).type;
  const fixture: HistoryFixture = {
    description,
    workflowId: handle.workflowId,
    workflowType: type,
    recordedAt: new Date().toISOString(),
    history,
  };
  writeFileSync(path.join(HISTORIES_DIR, file), `${JSON.stringify(fixture, null, 1)}\n`);
  console.log(`recorded ${file} (${handle.workflowId})`);
}

/** Waits for a run's end, whichever way it ends. */
async function settled(handle: WorkflowHandle): Promise<void> {
  await handle.result().catch(() => undefined);
}

/** SHELFSSL_RECORD_ONLY=<file> records just that fixture (the others keep the code they were recorded with). */
function record(file: string, name: string, body: () => Promise<void>): void {
  const only = process.env.SHELFSSL_RECORD_ONLY;
  it(`${name} (${file})`, { skip: only !== undefined && only !== file }, body);
}

describe('record workflow histories for the replay test', () => {
  let w: RunningWorker;
  before(async () => {
    w = await startTestWorker('record-histories', FAKE_STAGES);
  });
  after(async () => {
    await w.stop();
  });

  record('finished-run.json', 'a finished run with a sweep point (child workflow)', async () => {
    const plan: DagPlan = {
      pipeline: 'replay-finished',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 3, offset: 1800 }, {}),
        stageNode(scaleStage.def, 'scale@g1', { factor: 2 }, { src: 'gen' }, 'g1'),
        stageNode(sumStage.def, 'sum', {}, { a: 'gen', b: 'scale@g1' }),
      ],
    };
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await handle.result();
    await save('finished-run.json', 'a run that finished: stages, a cache lookup, a sweep point', handle);
    await save(
      'finished-run-sweep-point.json',
      'the sweep point (dagGroupRun) of finished-run',
      w.client.workflow.getHandle(`${handle.workflowId}/g1`),
    );
  });

  record('failed-run.json', 'a failed run and the re-run that resumes it from the cache', async () => {
    const plan: DagPlan = {
      pipeline: 'replay-failed',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 3, offset: 1801 }, {}),
        stageNode(flakyStage.def, 'flaky', {}, { src: 'gen' }),
        stageNode(scaleStage.def, 'scale', { factor: 3 }, { src: 'flaky' }),
      ],
    };
    flakyControl.failing = true;
    const failed = await startPipelineRun(w.client, w.settings, plan);
    await settled(failed);
    flakyControl.failing = false;
    const resumed = await rerunPipeline(w.client, w.settings, failed.workflowId, { stages: ['t-flaky'] });
    await resumed.result();
    await save('failed-run.json', 'a run with a failed stage (fails, skipping its dependants)', failed);
    await save(
      'resumed-run.json',
      'the re-run of failed-run: gen from the cache, flaky and scale recomputed',
      resumed,
    );
  });

  record('scheduled-run.json', 'a run started by a schedule', async () => {
    const plan: DagPlan = {
      pipeline: 'replay-scheduled',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 2, offset: 1802 }, {}),
        stageNode(scaleStage.def, 'scale', { factor: 4 }, { src: 'gen' }),
      ],
    };
    const schedule = await createPipelineSchedule(w.client, w.settings, { id: 'replay-recorder', plan });
    try {
      await schedule.trigger();
      let workflowId: string | undefined;
      for (let i = 0; i < 120 && workflowId === undefined; i++) {
        workflowId = (await schedule.describe()).info.recentActions[0]?.action.workflow.workflowId;
        if (workflowId === undefined) await sleep(250);
      }
      if (workflowId === undefined) throw new Error('the schedule started no run');
      const handle = w.client.workflow.getHandle(workflowId);
      await handle.result();
      await save(
        'scheduled-run.json',
        'a run a Temporal Schedule started (scheduled: true, ISO week label)',
        handle,
      );
    } finally {
      await schedule.delete();
    }
  });

  record(
    'scheduled-alert-gc-run.json',
    'a backfilled scheduled run with alerts and gc after it',
    async () => {
      const hook = await startWebhookServer();
      const plan: DagPlan = {
        pipeline: 'replay-weekly-ops',
        nodes: [
          stageNode(generateStage.def, 'gen', { count: 2, offset: 1803 }, {}),
          stageNode(scaleStage.def, 'scale', { factor: 5 }, { src: 'gen' }),
        ],
        notify: { webhook: `${hook.url}/hook`, on: ['success', 'failure'] },
        gc: { keepRuns: 50, keepWeeks: 0, graceMinutes: 1440 },
      };
      const schedule = await createPipelineSchedule(w.client, w.settings, { id: 'replay-ops', plan });
      try {
        await schedule.backfill({
          start: new Date('2026-10-05T00:00:00Z'),
          end: new Date('2026-10-05T23:59:59Z'),
        });
        const handle = w.client.workflow.getHandle(`${plan.pipeline}-sched-replay-ops-2026-10-05T06:00:00Z`);
        for (let i = 0; i < 120; i++) {
          if (
            await handle.describe().then(
              () => true,
              () => false,
            )
          )
            break;
          await sleep(250);
        }
        await handle.result();
        if (hook.received.length !== 1) throw new Error(`expected one alert, got ${hook.received.length}`);
        await save(
          'scheduled-alert-gc-run.json',
          'a backfilled scheduled run (week from its scheduled time) with an alert and gc after it',
          handle,
        );
      } finally {
        await schedule.delete();
        await hook.close();
      }
    },
  );
});
