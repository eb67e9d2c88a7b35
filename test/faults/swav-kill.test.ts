import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { type Bucket, bucketOf, readManifest } from '../../store/artefacts.js';
import { checkpointPrefix } from '../../store/checkpoints.js';
import { readObject } from '../../store/s3.js';
import { runStateQuery } from '../../workflows/run-state.js';
import { harnessRoot } from '../support/env.js';
import { spawnWorkerProcess, stopAll, type WorkerProcess } from '../support/processes.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';
import { byMode, faultRng, uniqueRunId, waitFor, withTimeout } from './fault-mode.js';
import { faultPlan, SWAV_NODES, tinyPaperConfig } from './tiny-plan.js';

const CHECKPOINT_EVERY = 3;
const EPOCHS = byMode(6, 8);
/** Kill points: most during pretraining (the long stage), some during feature caching. */
const PRETRAIN_KILLS = byMode(2, 8);
const FEATURE_KILLS = byMode(0, 2);
const RUN_TIMEOUT_MS = 240_000;

type Handle = Awaited<ReturnType<typeof startPipelineRun>>;

interface KillPoint {
  phase: 'pretrain' | 'features';
  /** Pretrain: kill once the run's query shows at least this step. */
  targetStep: number;
  /** Extra delay after the trigger, so kills do not line up with checkpoint writes. */
  jitterMs: number;
}

interface KillOutcome {
  point: KillPoint;
  stepSeen: number;
  stepAtKill: number;
  checkpointBeforeKill: number;
  checkpointAtKill: number;
  resumedFromStep: number;
  pretrainAttempts: number | undefined;
  featuresComputed: number;
  recoveryMs: number;
}

async function latestCheckpointStep(bucket: Bucket, cacheKey: string): Promise<number> {
  try {
    const raw = await readObject(
      bucket.s3,
      bucket.bucket,
      `${checkpointPrefix('pretrain', cacheKey)}/latest.json`,
    );
    return (JSON.parse(raw.toString('utf8')) as { step: number }).step;
  } catch {
    return 0;
  }
}

async function nodeState(handle: Handle, id: string) {
  const state = await handle.query(runStateQuery);
  return state.nodes.find((n) => n.id === id);
}

/**
 * Waits until pretraining has checkpointed at or beyond `step`. The checkpoint pointer in MinIO is read
 * directly: the run's query lags the trainer by a signal interval, which on a fast backend is many steps.
 */
async function waitForCheckpoint(handle: Handle, bucket: Bucket, key: string, step: number): Promise<number> {
  // A step reported by this run proves its attempt 1 has cleared the previous run's checkpoints.
  await waitFor(
    'pretrain reporting steps',
    async () => {
      const node = await nodeState(handle, 'backbone@swav');
      return node?.status === 'running' && (node.progress?.step ?? 0) > 0 ? true : undefined;
    },
    { timeoutMs: 120_000, everyMs: 20 },
  );
  const seen = await waitFor(
    `pretrain checkpoint >= ${step}`,
    async () => {
      const at = await latestCheckpointStep(bucket, key);
      if (at >= step) return at;
      return (await nodeState(handle, 'backbone@swav'))?.status === 'done' ? -1 : undefined;
    },
    { timeoutMs: 120_000, everyMs: 20 },
  );
  assert.notEqual(seen, -1, `pretraining finished before the kill point at step ${step}: lower the target`);
  return seen;
}

async function waitForFeatures(handle: Handle): Promise<number> {
  await waitFor(
    'features running',
    async () => ((await nodeState(handle, 'features@swav'))?.status === 'running' ? true : undefined),
    { timeoutMs: 180_000, everyMs: 50 },
  );
  return 0;
}

function choosePoints(totalSteps: number): KillPoint[] {
  const { rng } = faultRng('swav-kill');
  const pretrain = Array.from({ length: PRETRAIN_KILLS }, (): KillPoint => {
    // From the first checkpoint on (so a resume > 0 is possible), leaving room for the jitter.
    return {
      phase: 'pretrain',
      targetStep: rng.intBetween(CHECKPOINT_EVERY, Math.floor(totalSteps * 0.6)),
      jitterMs: rng.intBetween(0, 400),
    };
  });
  const features = Array.from(
    { length: FEATURE_KILLS },
    (): KillPoint => ({ phase: 'features', targetStep: 0, jitterMs: rng.intBetween(0, 300) }),
  );
  return [...pretrain, ...features];
}

describe('SIGKILL of the gpu worker process during SwAV pretraining and feature caching', () => {
  let cpu: RunningWorker;
  let bucket: Bucket;
  let plan: DagPlan;
  let logDir: string;
  const workers: WorkerProcess[] = [];
  let reference: { pretrain: string; pretrainKey: string; features: string; steps: number } | undefined;

  let current: WorkerProcess | undefined;
  /** Exactly one gpu worker at a time: a second one could take the activity the test means to kill. */
  const gpuWorker = (): WorkerProcess => {
    if (current && current.child.exitCode === null && current.child.signalCode === null) return current;
    const w = spawnWorkerProcess(cpu.settings, {
      queue: 'gpu',
      logFile: path.join(logDir, `gpu-${workers.length}.log`),
      // Every step is signalled to the run (one in flight at a time), so the query trails the trainer by
      // about one signal round trip and the step it shows just before a kill is a tight lower bound.
      env: { SHELFSSL_PROGRESS_SIGNAL_MS: '0' },
    });
    workers.push(w);
    current = w;
    return w;
  };

  const runOnce = async (opts: { recompute: boolean }): Promise<Handle> =>
    await startPipelineRun(cpu.client, cpu.settings, plan, {
      workflowId: uniqueRunId('swav'),
      ...(opts.recompute ? { recomputeStages: ['pretrain'] } : {}),
    });

  before(async () => {
    logDir = mkdtempSync(path.join(harnessRoot(), 'swav-kill-'));
    const dataset = path.join(logDir, 'shelves');
    await makeShelves({ ...tinyShelvesOptions(dataset, 11, 24), labelShare: 0.6 });
    cpu = await startTestWorker('swav-kill');
    bucket = bucketOf(cpu.settings);
    plan = faultPlan(
      tinyPaperConfig(dataset, { epochs: EPOCHS, checkpointEverySteps: CHECKPOINT_EVERY }),
      SWAV_NODES,
      { heartbeatTimeout: '5 seconds', initialInterval: '200 ms' },
    );
  });

  after(async () => {
    await stopAll(workers);
    await cpu?.stop();
  });

  it('an uninterrupted run gives the reference weights and features', async () => {
    gpuWorker();
    const started = Date.now();
    const result = await withTimeout(
      'reference run',
      RUN_TIMEOUT_MS,
      (await runOnce({ recompute: true })).result(),
    );
    assert.deepEqual(
      result.nodes.filter((n) => n.status !== 'done' && n.status !== 'cached'),
      [],
    );
    const pretrain = (await readManifest(bucket, 'pretrain', result.refs['backbone@swav']!.key))!;
    assert.equal(pretrain.metrics.resumedFromStep, 0, 'a forced recompute starts from scratch');
    reference = {
      pretrain: pretrain.digest,
      pretrainKey: pretrain.cacheKey,
      features: result.refs['features@swav']!.digest,
      steps: Number(pretrain.metrics.steps),
    };
    console.log(
      `[faults] swav reference: ${reference.steps} steps, ${Date.now() - started} ms, backend ${pretrain.worker.backend}`,
    );
    assert.ok(
      reference.steps >= CHECKPOINT_EVERY + 3,
      `only ${reference.steps} SwAV steps: grow the dataset`,
    );
  });

  it('every kill resumes from the newest checkpoint and ends with the reference bytes', async () => {
    assert.ok(reference, 'the reference run must pass first');
    const outcomes: KillOutcome[] = [];
    for (const point of choosePoints(reference.steps)) {
      const outcome = await killOnce(point);
      outcomes.push(outcome);
      console.log(`[faults] swav kill ${JSON.stringify(outcome)}`);
    }
    const lost = outcomes
      .filter((o) => o.point.phase === 'pretrain')
      .map((o) => o.stepAtKill - o.resumedFromStep);
    console.log(`[faults] swav kills: ${outcomes.length}, steps lost per kill: ${JSON.stringify(lost)}`);
  });

  /** One kill: start a run, SIGKILL the gpu worker at the kill point, start a fresh one, check the result. */
  async function killOnce(point: KillPoint): Promise<KillOutcome> {
    const ref = reference!;
    const gpu = gpuWorker();
    const handle = await runOnce({ recompute: true });
    // Same params and the same (cached) crops: every run trains under the reference run's cache key.
    const pretrainKey = ref.pretrainKey;
    const stepSeen =
      point.phase === 'pretrain'
        ? await waitForCheckpoint(handle, bucket, pretrainKey, point.targetStep)
        : await waitForFeatures(handle);
    await new Promise((r) => setTimeout(r, point.jitterMs));
    const checkpointBeforeKill = await latestCheckpointStep(bucket, pretrainKey);
    const stepAtKill = (await nodeState(handle, 'backbone@swav'))?.progress?.step ?? 0;
    await gpu.crash();
    const killedAt = Date.now();
    const checkpointAtKill = await latestCheckpointStep(bucket, pretrainKey);
    gpuWorker();
    const result = await withTimeout(`run after a ${point.phase} kill`, RUN_TIMEOUT_MS, handle.result());
    const recoveryMs = Date.now() - killedAt;

    const pretrain = (await readManifest(bucket, 'pretrain', result.refs['backbone@swav']!.key))!;
    const features = (await readManifest(bucket, 'features', result.refs['features@swav']!.key))!;
    const resumedFromStep = Number(pretrain.metrics.resumedFromStep);
    const pretrainState = result.nodes.find((n) => n.id === 'backbone@swav');
    if (point.phase === 'pretrain') {
      assert.ok(resumedFromStep > 0, `kill at step ${stepSeen}: the retry started from scratch`);
      assert.ok(
        resumedFromStep >= checkpointBeforeKill,
        `resumed from ${resumedFromStep}, but checkpoint ${checkpointBeforeKill} existed before the kill`,
      );
      assert.equal(resumedFromStep, checkpointAtKill, 'the retry resumes from the newest checkpoint');
      assert.ok(
        stepAtKill - resumedFromStep <= CHECKPOINT_EVERY,
        `lost ${stepAtKill - resumedFromStep} steps (> one checkpoint interval of ${CHECKPOINT_EVERY})`,
      );
      assert.equal(
        pretrainState?.attempts,
        2,
        'one kill costs one attempt: the resumed attempt must not fail (see the gpu worker logs)',
      );
    }
    assert.equal(pretrain.digest, ref.pretrain, 'resumed SwAV weights differ from the uninterrupted run');
    assert.equal(features.digest, ref.features, 'resumed features differ from the uninterrupted run');
    return {
      point,
      stepSeen,
      stepAtKill,
      checkpointBeforeKill,
      checkpointAtKill,
      resumedFromStep,
      pretrainAttempts: pretrainState?.attempts,
      featuresComputed: Number(features.metrics.computed),
      recoveryMs,
    };
  }
});
