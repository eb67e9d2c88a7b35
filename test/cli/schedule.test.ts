import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createPipelineSchedule } from '../../cli/commands/schedule/create-schedule.js';
import { describeSchedule, listSchedules } from '../../cli/commands/schedule/schedule-text.js';
import { parsePipelineRunResult } from '../../cli/runs.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { runCli } from '../support/cli.js';
import { FAKE_STAGES, generateStage, scaleStage } from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `probe` returns a value; schedules and visibility are eventually consistent. */
async function eventually<T>(probe: () => Promise<T | undefined>, what: string, tries = 60): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('schedules (Temporal Schedules)', () => {
  let w: RunningWorker;
  before(async () => {
    w = await startTestWorker('schedule', FAKE_STAGES);
  });
  after(async () => {
    await w.stop();
  });

  it('create, trigger once (the run completes), list, describe, pause, delete', async () => {
    const id = `test-${randomUUID().slice(0, 8)}`;
    const plan: DagPlan = {
      pipeline: 'sched',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 3, offset: 77 }, {}),
        stageNode(scaleStage.def, 'scale', { factor: 2 }, { src: 'gen' }),
      ],
    };
    const handle = await createPipelineSchedule(w.client, w.settings, { id, plan });
    const created = await handle.describe();
    assert.equal(created.policies.overlap, 'SKIP');
    assert.equal(created.policies.catchupWindow, 24 * 3600 * 1000);
    const next = created.info.nextActionTimes[0]!;
    assert.equal(next.getUTCDay(), 1, 'Monday');
    assert.equal(next.getUTCHours(), 6);
    assert.ok(created.action.type === 'startWorkflow' && created.action.workflowType === 'pipelineRun');

    await handle.trigger();
    const workflowId = await eventually(async () => {
      const d = await handle.describe();
      return d.info.recentActions[0]?.action.workflow.workflowId;
    }, 'the triggered run');
    const result = parsePipelineRunResult(await w.client.workflow.getHandle(workflowId).result(), workflowId);
    assert.deepEqual(result.nodes.map((n) => n.id).sort(), ['gen', 'scale']);
    assert.match(result.isoWeek, /^\d{4}-W\d{2}$/);

    const listed = await eventually(
      async () => (await listSchedules(w.client)).find((s) => s.id === id),
      'the schedule in the list',
    );
    assert.equal(listed.paused, false);
    const text = describeSchedule(await handle.describe()).join('\n');
    assert.match(text, /runs +MONDAY 06:00/);
    assert.ok(text.includes(workflowId), text);

    await handle.pause('holiday');
    const paused = await handle.describe();
    assert.equal(paused.state.paused, true);
    assert.equal(paused.state.note, 'holiday');

    await handle.delete();
    await assert.rejects(handle.describe());
  });

  it('trigger names a queue nobody polls; pause without --note says who paused; a deleted schedule is missing', async () => {
    const id = `test-${randomUUID().slice(0, 8)}`;
    const plan: DagPlan = {
      pipeline: 'sched',
      nodes: [stageNode(generateStage.def, 'gen', { count: 1 }, {})],
    };
    const handle = await createPipelineSchedule(w.client, w.settings, { id, plan });
    const idle = `nobody-${id}`;
    const triggered = await runCli(['schedule', 'trigger', id], { ...process.env, SHELFSSL_QUEUE_CPU: idle });
    assert.equal(triggered.code, 0, triggered.stderr);
    assert.ok(
      triggered.stdout.includes(`waiting for a worker on queue ${idle} (none polling`),
      triggered.stdout,
    );
    const paused = await runCli(['schedule', 'pause', id]);
    assert.equal(paused.code, 0, paused.stderr);
    const note = (await handle.describe()).state.note ?? '';
    assert.match(note, /^paused with `shelfssl schedule pause` at \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    assert.equal((await runCli(['schedule', 'delete', id])).code, 0);
    const again = await runCli(['schedule', 'delete', id]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, new RegExp(`schedule "${id}" does not exist \\(deleted already\\?\\)`));
    assert.doesNotMatch(again.stderr, /already completed/);
  });
});
