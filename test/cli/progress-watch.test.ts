import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitForRun } from '../../cli/commands/run/wait-for-run.js';
import { plainRenderer } from '../../cli/progress/plain-renderer.js';
import { watchRun } from '../../cli/progress/watch-run.js';
import { startPipelineRun } from '../../cli/runs.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { FAKE_STAGES, generateStage, slowStage } from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

describe('live progress of a running pipeline (non-TTY lines)', () => {
  let w: RunningWorker;
  before(async () => {
    // The stage signals its progress to the workflow at most this often; the CLI polls the query.
    process.env.SHELFSSL_PROGRESS_SIGNAL_MS = '150';
    w = await startTestWorker('progress', FAKE_STAGES);
  });
  after(async () => {
    await w.stop();
  });

  it('prints lines with growing step counts while the stage runs, then its done line', async () => {
    const plan: DagPlan = {
      pipeline: 'progress-cli',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 3, offset: Date.now() }, {}),
        stageNode(slowStage.def, 'slow', { steps: 10, stepMs: 300 }, {}),
      ],
    };
    const handle = await startPipelineRun(w.client, w.settings, plan, { force: true });
    const lines: string[] = [];
    const final = await watchRun(w.client, handle.workflowId, handle.result(), {
      renderer: plainRenderer,
      intervalMs: 200,
      write: (ls) => lines.push(...ls),
    });
    const steps = lines
      .map((l) => /^\[\d\d:\d\d:\d\d\] slow running (\d+)\/10 steps loss/.exec(l)?.[1])
      .filter((s) => s !== undefined)
      .map(Number);
    assert.ok(steps.length >= 3, `several progress lines while running:\n${lines.join('\n')}`);
    assert.ok(
      steps.every((s, i) => i === 0 || s > (steps[i - 1] ?? 0)),
      `step counts grow: ${steps}`,
    );
    assert.ok(
      lines.some((l) => /\] gen done in /.test(l)),
      lines.join('\n'),
    );
    assert.match(lines.at(-2) ?? '', /\] slow done in \d/);
    assert.match(lines.at(-1) ?? '', /\] run .* completed \(2 done\) in /);
    assert.equal(final?.status, 'completed');
  });

  it('waitForRun prints the summary table, workflow id and UI link; a cached re-run shows cache hits', async () => {
    const plan: DagPlan = {
      pipeline: 'summary-cli',
      nodes: [stageNode(generateStage.def, 'gen', { count: 2, offset: Date.now() }, {})],
    };
    await (await startPipelineRun(w.client, w.settings, plan)).result();
    const handle = await startPipelineRun(w.client, w.settings, plan);
    const out: string[] = [];
    const { code } = await waitForRun(w.client, w.settings, handle, (l) => out.push(l));
    assert.equal(code, 0);
    const text = out.join('\n');
    assert.match(text, /^node +stage +status +cache +duration$/m);
    assert.match(text, /^gen +t-generate +cached +hit +0 ms$/m);
    assert.match(text, new RegExp(`workflow ${handle.workflowId}`));
    const port = Number(
      process.env.SHELFSSL_TEMPORAL_UI_PORT ?? Number(w.settings.temporal.address.split(':')[1]) + 1000,
    );
    assert.ok(
      text.includes(
        `http://127.0.0.1:${port}/namespaces/default/workflows/${encodeURIComponent(handle.workflowId)}`,
      ),
      text,
    );
  });
});
