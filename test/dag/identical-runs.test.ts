import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parsePipelineRunResult, startPipelineRun } from '../../cli/runs.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { runStateQuery } from '../../workflows/run-state.js';
import { executions, FAKE_STAGES, slowStage } from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

describe('two identical runs at once', () => {
  let w: RunningWorker;
  before(async () => {
    process.env.SHELFSSL_PROGRESS_SIGNAL_MS = '200';
    w = await startTestWorker('identical', FAKE_STAGES);
  });
  after(async () => {
    await w.stop();
  });

  it('compute each stage once per cache key; the second run says it waits on the first', async () => {
    const steps = 8 + (Date.now() % 1000);
    const plan: DagPlan = {
      pipeline: 'twins',
      nodes: [stageNode(slowStage.def, 'slow', { steps: 10, stepMs: 200 + (steps % 7) }, {})],
    };
    const mark = executions.length;
    const first = await startPipelineRun(w.client, w.settings, plan, { workflowId: `twins-a-${steps}` });
    // Let the first take the stage's lease before the twin asks for it.
    for (let i = 0; i < 50; i++) {
      const s = await first.query(runStateQuery);
      if ((s.nodes[0]?.progress?.step ?? 0) >= 1) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const second = await startPipelineRun(w.client, w.settings, plan, { workflowId: `twins-b-${steps}` });
    let waiting: string | undefined;
    for (let i = 0; i < 60 && waiting === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const message = (await second.query(runStateQuery)).nodes[0]?.progress?.message;
      if (message?.startsWith('waiting on run')) waiting = message;
    }
    assert.ok(waiting, 'the second run reports whom it waits on');
    assert.match(waiting, new RegExp(`^waiting on run twins-a-${steps} \\(node slow\\)`));
    const [a, b] = await Promise.all([first.result(), second.result()]);
    const refA = parsePipelineRunResult(a, first.workflowId).refs.slow;
    const refB = parsePipelineRunResult(b, second.workflowId).refs.slow;
    assert.deepEqual(refB, refA, 'both runs end with the one artefact');
    assert.equal(executions.slice(mark).filter((e) => e.nodeId === 'slow').length, 1, 'computed once');
  });
});
