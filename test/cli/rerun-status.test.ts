import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { originalRunInput, rerunPipeline } from '../../cli/commands/run/rerun-pipeline.js';
import { listRecentRuns } from '../../cli/commands/status/list-runs.js';
import { collectRunView } from '../../cli/progress/run-view.js';
import { configHash, startPipelineRun } from '../../cli/runs.js';
import { UsageError } from '../../config/errors.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { runCli } from '../support/cli.js';
import {
  executions,
  FAKE_STAGES,
  flakyControl,
  flakyStage,
  generateStage,
  scaleStage,
  sumStage,
} from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

function diamond(offset: number): DagPlan {
  return {
    pipeline: 'rerun-cli',
    nodes: [
      stageNode(generateStage.def, 'gen1', { count: 4, offset }, {}),
      stageNode(generateStage.def, 'gen2', { count: 2, offset: offset + 50 }, {}),
      stageNode(scaleStage.def, 'scale', { factor: 3 }, { src: 'gen1' }),
      stageNode(sumStage.def, 'sum', {}, { a: 'scale', b: 'gen2' }),
      stageNode(scaleStage.def, 'fit@10pct', { factor: 2 }, { src: 'gen2' }, '10pct/seed1'),
    ],
  };
}

describe('rerun and status against the real Temporal', () => {
  let w: RunningWorker;
  before(async () => {
    w = await startTestWorker('rerun', FAKE_STAGES);
  });
  after(async () => {
    await w.stop();
  });

  it('rerun --stage t-scale recomputes only t-scale nodes and their descendants', async () => {
    const plan = diamond(Date.now() % 100_000);
    const first = await startPipelineRun(w.client, w.settings, plan);
    await first.result();
    const input = await originalRunInput(w.client, first.workflowId);
    assert.deepEqual(input.plan, plan);

    const mark = executions.length;
    const again = await rerunPipeline(w.client, w.settings, first.workflowId, { stages: ['t-scale'] });
    assert.notEqual(again.workflowId, first.workflowId);
    const result = await again.result();
    assert.deepEqual(
      executions
        .slice(mark)
        .map((e) => e.nodeId)
        .sort(),
      ['fit@10pct', 'scale', 'sum'],
    );
    const status = Object.fromEntries(result.nodes.map((n) => [n.id, n.status]));
    assert.deepEqual(status, {
      gen1: 'cached',
      gen2: 'cached',
      scale: 'done',
      sum: 'done',
      'fit@10pct': 'done',
    });

    await assert.rejects(
      rerunPipeline(w.client, w.settings, first.workflowId, { stages: ['t-nope'] }),
      (e: unknown) => e instanceof UsageError && /"t-nope".*t-generate, t-scale, t-sum/.test(e.message),
    );
    await assert.rejects(
      rerunPipeline(w.client, w.settings, 'no-such-workflow', { stages: ['t-scale'] }),
      (e: unknown) => e instanceof UsageError && /no-such-workflow/.test(e.message),
    );
  });

  it('status: lists runs with their config hash; a finished run answers its per-node state incl. child ids', async () => {
    const plan = diamond(900_000 + (Date.now() % 1000));
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await handle.result();
    let listed: Awaited<ReturnType<typeof listRecentRuns>>[number] | undefined;
    for (let i = 0; i < 40 && !listed?.status.includes('COMPLETED'); i++) {
      listed = (await listRecentRuns(w.client, 100)).find((r) => r.workflowId === handle.workflowId);
      if (!listed?.status.includes('COMPLETED')) await new Promise((r) => setTimeout(r, 250));
    }
    assert.equal(listed?.status, 'COMPLETED');
    assert.equal(listed?.configHash, configHash(plan));
    const view = await collectRunView(w.client, handle.workflowId);
    assert.equal(view.status, 'completed');
    const fit = view.nodes.find((n) => n.id === 'fit@10pct');
    assert.equal(fit?.child, `${handle.workflowId}/10pct/seed1`);
    assert.equal(fit?.status, 'done');
  });
});

describe('status of a finished run when no worker is left to answer queries', () => {
  it('shelfssl status <id> falls back to the completed run result', async () => {
    const w = await startTestWorker('status-noworker', FAKE_STAGES);
    const plan = diamond(700_000 + (Date.now() % 1000));
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await handle.result();
    await w.stop();
    const r = await runCli(['status', handle.workflowId]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /rerun-cli completed/);
    assert.match(
      r.stdout,
      new RegExp(`^fit@10pct +t-scale +done +\\d+ ms +${handle.workflowId}/10pct/seed1`, 'm'),
    );
  });

  it('a failed run with no worker left: exit 1 naming the failure and what would let it answer', async () => {
    const w = await startTestWorker('status-failed', FAKE_STAGES);
    flakyControl.failing = true;
    const plan: DagPlan = {
      pipeline: 'status-failed',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 2, offset: Date.now() % 1000 }, {}),
        stageNode(flakyStage.def, 'flaky', {}, { src: 'gen' }),
      ],
    };
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await assert.rejects(handle.result());
    await w.stop();
    const r = await runCli(['status', handle.workflowId]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /is FAILED \(1 stage\(s\) failed: flaky: .*simulated terminal failure\).*start `shelfssl worker`/s,
    );
  });
});
