import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createPipelineSchedule } from '../../cli/commands/schedule/create-schedule.js';
import { parsePipelineRunResult } from '../../cli/runs.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { runCli } from '../support/cli.js';
import { FAKE_STAGES, generateStage, scaleStage } from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('schedule backfill (a real Temporal Schedule backfill)', () => {
  let w: RunningWorker;
  before(async () => {
    w = await startTestWorker('backfill', FAKE_STAGES);
  });
  after(async () => {
    await w.stop();
  });

  it("backfills a paused schedule's missed Mondays, each run labelled with its scheduled week", async () => {
    const id = `backfill-${randomUUID().slice(0, 8)}`;
    const plan: DagPlan = {
      pipeline: 'backfill',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 2, offset: 1820 }, {}),
        stageNode(scaleStage.def, 'scale', { factor: 2 }, { src: 'gen' }),
      ],
    };
    const schedule = await createPipelineSchedule(w.client, w.settings, {
      id,
      plan,
      note: 'paused for backfill',
    });
    await schedule.pause('holiday');
    try {
      const cli = await runCli(['schedule', 'backfill', id, '--from', '2026-10-01', '--to', '2026-10-19']);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /backfill 2026-10-01T00:00:00\.000Z \.\. 2026-10-19T23:59:59\.999Z requested/);

      // Mondays 06:00 UTC in the range: Oct 5, 12 and 19 (ISO weeks 41-43), though the runs start today.
      const expected = { '2026-10-05': '2026-W41', '2026-10-12': '2026-W42', '2026-10-19': '2026-W43' };
      for (const [day, week] of Object.entries(expected)) {
        const workflowId = `${plan.pipeline}-sched-${id}-${day}T06:00:00Z`;
        const handle = w.client.workflow.getHandle(workflowId);
        for (let i = 0; i < 240; i++) {
          if (
            await handle.describe().then(
              () => true,
              () => false,
            )
          )
            break;
          await sleep(250);
        }
        const result = parsePipelineRunResult(await handle.result(), workflowId);
        assert.equal(result.isoWeek, week, `${workflowId} stands for ${week}`);
      }
      const before = w.client.workflow.getHandle(`${plan.pipeline}-sched-${id}-2026-09-28T06:00:00Z`);
      await assert.rejects(before.describe(), 'no run for a Monday before --from');
      assert.equal((await schedule.describe()).state.paused, true, 'the schedule stays paused');
    } finally {
      await schedule.delete();
    }
  });

  it('refuses a reversed or unreadable range, naming the flag', async () => {
    const reversed = await runCli([
      'schedule',
      'backfill',
      'any',
      '--from',
      '2026-10-20',
      '--to',
      '2026-10-01',
    ]);
    assert.equal(reversed.code, 2, reversed.stderr);
    assert.match(reversed.stderr, /--to: --from must not be after --to/);
    const vague = await runCli([
      'schedule',
      'backfill',
      'any',
      '--from',
      'last monday',
      '--to',
      '2026-10-01',
    ]);
    assert.equal(vague.code, 2);
    assert.match(vague.stderr, /--from: a date \(2026-10-05, UTC\)/);
    const missing = await runCli(['schedule', 'backfill', 'any', '--to', '2026-10-01']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--from: required/);
  });
});
