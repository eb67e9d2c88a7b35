import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { connectClient } from '../../cli/client.js';
import { startPipelineRun } from '../../cli/runs.js';
import type { Settings } from '../../config/settings.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { RunConfigSchema } from '../../pipelines/paper.js';
import { type Bucket, bucketOf, readManifest } from '../../store/artefacts.js';
import { runStateQuery } from '../../workflows/run-state.js';
import { harnessRoot, testSettings } from '../support/env.js';
import { spawnWorkerProcess, stopAll, type WorkerProcess } from '../support/processes.js';
import { byMode, faultRng, uniqueRunId, waitFor, withTimeout } from './fault-mode.js';
import { faultPlan, tinyPaperConfig } from './tiny-plan.js';

describe('scale-out: two cpu worker processes and one gpu worker process, one cpu worker SIGKILLed', () => {
  let settings: Settings;
  let client: Client;
  let closeClient: () => Promise<void>;
  let plan: DagPlan;
  let bucket: Bucket;
  const workers: WorkerProcess[] = [];

  before(async () => {
    const dir = mkdtempSync(path.join(harnessRoot(), 'scale-out-'));
    const dataset = path.join(dir, 'shelves');
    await makeShelves({ ...tinyShelvesOptions(dataset, 13, 16), labelShare: 0.6 });
    settings = testSettings('scale-out');
    ({ client, close: closeClient } = await connectClient(settings));
    bucket = bucketOf(settings);
    const tiny = tinyPaperConfig(dataset, { epochs: 2, checkpointEverySteps: 3 }, 'scale-out');
    // Several sweep points (child workflows) give the two cpu workers parallel work to share.
    const fractions = byMode([100], [50, 100]);
    const config = RunConfigSchema.parse({ ...tiny, sweep: { fractions, seeds: 2 } });
    // Stages that never heartbeat are noticed dead only at their start-to-close timeout: keep it short here.
    plan = faultPlan(config, 'all', {
      heartbeatTimeout: '5 seconds',
      initialInterval: '200 ms',
      startToCloseTimeout: byMode('20 seconds', '45 seconds'),
    });
    for (const [i, queue] of (['cpu', 'cpu', 'gpu'] as const).entries()) {
      workers.push(
        spawnWorkerProcess(settings, { queue, logFile: path.join(dir, `worker-${i}-${queue}.log`) }),
      );
    }
  });

  after(async () => {
    await stopAll(workers);
    await closeClient?.();
  });

  it('the run completes on the surviving workers', async () => {
    const started = Date.now();
    const handle = await startPipelineRun(client, settings, plan, { workflowId: uniqueRunId('scale') });
    const { rng } = faultRng('scale-out');
    const victim = workers[rng.intBetween(0, 1)]!;
    // Kill while the sweep's heads run: both cpu workers are busy with child workflows and activities.
    let last = '';
    const busy = await waitFor(
      'a head stage running',
      async () => {
        const s = await handle.query(runStateQuery);
        last = s.nodes.map((n) => `${n.id}=${n.status}`).join(' ');
        const heads = s.nodes.filter((n) => n.stage === 'head' && n.status === 'running');
        return heads.length > 0 ? heads.map((n) => n.id) : undefined;
      },
      { timeoutMs: 150_000, everyMs: 100 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; run state: ${last}`);
    });
    const killedAt = Date.now();
    assert.equal(await victim.crash(), 'SIGKILL');
    console.log(`[faults] scale-out: SIGKILLed cpu worker pid ${victim.pid} while ${busy.join(', ')} ran`);

    const result = await withTimeout('scale-out run', 300_000, handle.result());
    assert.deepEqual(
      result.nodes.filter((n) => n.status !== 'done' && n.status !== 'cached').map((n) => n.id),
      [],
    );
    console.log(
      `[faults] scale-out: kill ${killedAt - started} ms into the run, completed ${Date.now() - killedAt} ms later`,
    );
    const pids = await producerPids(bucket, result.refs);
    const afterKill = pids.filter((p) => p.createdAt > killedAt);
    assert.ok(afterKill.length > 0, 'artefacts were produced after the kill');
    assert.ok(
      afterKill.every((p) => p.pid !== victim.pid),
      'nothing was produced by the killed worker',
    );
    const survivors = new Set(afterKill.map((p) => p.pid));
    console.log(
      `[faults] scale-out: ${afterKill.length} artefacts after the kill, by pids ${[...survivors].join(', ')}; ` +
        `${pids.filter((p) => p.pid === victim.pid).length} earlier ones by the victim`,
    );
  });
});

/** Which process produced each artefact of the run, and when (from the manifests). */
async function producerPids(bucket: Bucket, refs: Record<string, { stage: string; key: string }>) {
  const out: { node: string; pid: number; createdAt: number }[] = [];
  for (const [node, ref] of Object.entries(refs)) {
    const m = await readManifest(bucket, ref.stage, ref.key);
    if (m) out.push({ node, pid: m.worker.pid, createdAt: Date.parse(m.createdAt) });
  }
  return out;
}
