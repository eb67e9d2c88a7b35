import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type ReplayWorkerOptions, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { installSdkLog } from '../../workers/sdk-log.js';
import { prebuiltWorkflowBundle } from '../../workers/workflow-bundle.js';
import { harnessRoot } from '../support/env.js';
import { fixtureHistory, type HistoryFixture, loadHistoryFixtures } from './histories.js';

interface Replayed {
  file: string;
  workflowType: string;
  error: Error | undefined;
}

/** Replays every fixture against the given workflow code; one result per fixture, in file order. */
async function replayAll(
  options: ReplayWorkerOptions,
  fixtures: readonly (HistoryFixture & { file: string })[],
): Promise<Replayed[]> {
  const histories = fixtures.map((f) => ({ workflowId: f.workflowId, history: fixtureHistory(f) }));
  const out: Replayed[] = [];
  let i = 0;
  for await (const r of Worker.runReplayHistories(options, histories)) {
    const f = fixtures[i++]!;
    out.push({ file: f.file, workflowType: f.workflowType, error: r.error });
  }
  return out;
}

const altered = (name: string) => fileURLToPath(new URL(`./altered/${name}.js`, import.meta.url));

describe('recorded histories replay against the current workflow code (upgrade safety)', () => {
  const fixtures = loadHistoryFixtures();
  before(() => {
    installSdkLog(`${harnessRoot()}/logs/replay-sdk.log`);
  });

  it('has a finished, a failed, its resumed re-run, a schedule-started and a backfilled run with alert and gc', () => {
    const files = fixtures.map((f) => f.file);
    const wanted = ['finished-run.json', 'failed-run.json', 'resumed-run.json', 'scheduled-run.json'];
    for (const want of [...wanted, 'scheduled-alert-gc-run.json'])
      assert.ok(files.includes(want), `${want} missing: record it (npm run record-histories)`);
  });

  it('every history replays against the bundle the workers run', async () => {
    const bundle = await prebuiltWorkflowBundle();
    assert.ok(bundle, 'no prebuilt workflow bundle for this code: run `npm run build`');
    const results = await replayAll({ workflowBundle: bundle, replayName: 'current' }, fixtures);
    assert.equal(results.length, fixtures.length);
    for (const r of results)
      assert.equal(
        r.error,
        undefined,
        `${r.file} no longer replays: ${r.error?.message}\nGuard the change with patched() (README "Upgrading")`,
      );
  });

  it('an unguarded change (a timer before the first activity) fails the replay of every pipeline run', async () => {
    const runs = fixtures.filter((f) => f.workflowType === 'pipelineRun');
    const results = await replayAll({ workflowsPath: altered('unguarded'), replayName: 'unguarded' }, runs);
    assert.equal(results.length, runs.length);
    for (const r of results)
      assert.ok(r.error instanceof DeterminismViolationError, `${r.file}: ${r.error?.message ?? 'replayed'}`);
  });

  it('the same change behind patched() replays every history', async () => {
    const results = await replayAll({ workflowsPath: altered('guarded'), replayName: 'guarded' }, fixtures);
    for (const r of results) assert.equal(r.error, undefined, `${r.file}: ${r.error?.message}`);
  });
});
