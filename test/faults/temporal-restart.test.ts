import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ServiceError } from '@temporalio/client';
import { startPipelineRun } from '../../cli/runs.js';
import type { Settings } from '../../config/settings.js';
import type { DagNode, DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { runStateQuery } from '../../workflows/run-state.js';
import { harnessRoot, testSettings } from '../support/env.js';
import { FAKE_STAGES, generateStage, scaleStage, slowStage, sumStage } from '../support/fake-stages.js';
import { byMode, uniqueRunId, waitFor, withTimeout } from './fault-mode.js';
import { ownTemporal, type RestartableServer } from './own-servers.js';
import { type OwnWorker, startWorkerOn } from './own-worker.js';

const OUTAGE_MS = byMode(3_000, 15_000);
const SLOW_STEPS = byMode(16, 30);

/** A retry budget like production's: the outage must not be survivable only thanks to generous retries. */
function withRetry(n: DagNode): DagNode {
  return {
    ...n,
    retry: {
      maximumAttempts: 5,
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
    },
  };
}

/** gen -> scale -> sum <- slow: the slow branch heartbeats while Temporal goes away. */
function restartPlan(tag: string): DagPlan {
  const nodes = [
    stageNode(generateStage.def, 'gen', { count: 5, offset: 7000 }, {}),
    stageNode(slowStage.def, 'slow', { steps: SLOW_STEPS, stepMs: 250 }, {}),
    stageNode(scaleStage.def, 'scale', { factor: 3 }, { src: 'gen' }),
    stageNode(sumStage.def, 'sum', {}, { a: 'scale', b: 'slow' }),
  ].map(withRetry);
  return { pipeline: `restart-${tag}`, nodes };
}

type Handle = Awaited<ReturnType<typeof startPipelineRun>>;

/** Waits for the run's result, asking again while the server is unreachable (a restart is not an answer). */
async function resultAcrossOutages(handle: Handle) {
  for (;;) {
    try {
      return await handle.result();
    } catch (err) {
      if (!(err instanceof ServiceError)) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

describe('restarting the Temporal dev server (same --db-filename) in the middle of a run', () => {
  let temporal: RestartableServer;
  let settings: Settings;
  let worker: OwnWorker;

  before(async () => {
    const dir = mkdtempSync(path.join(harnessRoot(), 'temporal-restart-'));
    temporal = await ownTemporal(dir);
    const base = testSettings('restart');
    settings = { ...base, temporal: { ...base.temporal, address: `127.0.0.1:${temporal.port}` } };
    worker = await startWorkerOn(settings, FAKE_STAGES);
  });

  after(async () => {
    // Bounded: after a failure mid-outage the worker may wait on an unreachable server forever.
    await withTimeout('worker shutdown', 20_000, worker?.stop() ?? Promise.resolve()).catch(console.error);
    await temporal?.stop();
  });

  it('the run that was waiting on a crashed server completes after the restart', async () => {
    const handle = await startPipelineRun(worker.client, settings, restartPlan('crash'), {
      workflowId: uniqueRunId('restart'),
      force: true,
    });
    // Settle-tracking from the start: the original waiter may give up while the server is away.
    const original = handle.result().then(
      () => 'completed',
      (err: Error) => `gave up: ${err.message}`,
    );
    await waitFor(
      'the slow stage to report progress',
      async () => {
        const s = await handle.query(runStateQuery);
        const slow = s.nodes.find((n) => n.id === 'slow');
        return slow?.status === 'running' && (slow.progress?.step ?? 0) >= 2 ? true : undefined;
      },
      { timeoutMs: 60_000, everyMs: 200 },
    );
    const down = Date.now();
    await temporal.crash();
    await new Promise((r) => setTimeout(r, OUTAGE_MS));
    await temporal.restart();
    console.log(`[faults] temporal was down ${Date.now() - down} ms (SIGKILL, same db file, same port)`);

    const result = await withTimeout('run after the restart', 180_000, resultAcrossOutages(handle));
    // The client's own retries span only seconds: a caller still waiting on the first result() call sees
    // "Failed to get Workflow execution history" after a longer outage, though the run itself goes on.
    console.log(`[faults] temporal restart: the waiter from before the crash ${await original}`);
    assert.deepEqual(
      result.nodes.map((n) => [n.id, n.status]),
      [
        ['gen', 'done'],
        ['slow', 'done'],
        ['scale', 'done'],
        ['sum', 'done'],
      ],
    );
    const described = await handle.describe();
    assert.equal(described.status.name, 'COMPLETED', 'the server still knows the run after restarting');
    const slow = result.nodes.find((n) => n.id === 'slow');
    console.log(`[faults] temporal restart: slow stage took ${slow?.attempts} attempt(s)`);
  });
});
