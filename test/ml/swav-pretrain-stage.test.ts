// The pretrain stage through Temporal + MinIO on tiny shelves: `auto` settings resolved and recorded, the
// per-epoch k-NN monitor in history.json and the manifest, and a run whose assignments stay uninformative
// retried once from its last healthy epoch with the gate's fixes, then failed with a message naming them.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { decodeSwavState } from '../../ml/swav/index.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { loadLatestCheckpoint } from '../../store/checkpoints.js';
import type { RunState } from '../../workflows/run-state.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

const ARCH = { kind: 'small-resnet', inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1], seed: 3 };

/** Up to the SwAV backbone only: the stage under test. */
function pretrainPlan(location: string, name: string, swav: Record<string, unknown>): DagPlan {
  const config = RunConfigSchema.parse({
    name,
    dataset: { location },
    crop: { cropSize: 16, seed: 5 },
    backbones: [
      {
        name: 'swav',
        kind: 'swav',
        swav: { arch: ARCH, batchSize: 16, projHidden: 32, projOut: 16, checkpointEverySteps: 4, ...swav },
      },
    ],
    sweep: { fractions: [100], seeds: 1 },
  });
  const plan = expandPaperPipeline(config);
  const keep = ['snapshot', 'ingest', 'boxes', 'crop', 'backbone@swav'];
  return { pipeline: plan.pipeline, nodes: plan.nodes.filter((n) => keep.includes(n.id)) };
}

describe('pretrain stage: auto settings, k-NN monitor, collapse retry', () => {
  let w: RunningWorker;
  let dataset: string;
  before(async () => {
    dataset = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-swav-stage-'));
    await makeShelves({ ...tinyShelvesOptions(dataset, 13, 16), labelShare: 0.6 });
    w = await startTestWorker('swav-stage', undefined, { gpuQueue: true });
  });
  after(async () => {
    await w.stop();
  });
  const bucket = () => bucketOf(w.settings);

  /** The newest checkpoint of the (failed, so unpublished) temperature-100 run, found by its config. */
  async function collapsedRunState() {
    const b = bucket();
    const keys: string[] = [];
    for await (const item of b.s3.listObjectsV2(b.bucket, 'checkpoints/pretrain/', true))
      if (typeof item.name === 'string' && item.name.endsWith('/latest.json')) keys.push(item.name);
    for (const key of keys) {
      const cacheKey = key.split('/')[2] ?? '';
      const checkpoint = await loadLatestCheckpoint(b, 'pretrain', cacheKey);
      const state = checkpoint ? decodeSwavState(checkpoint.blob) : undefined;
      if (state?.config.temperature === 100) return state;
    }
    throw new Error(`no checkpoint of the collapsed run among ${keys.join(', ')}`);
  }

  it('records the resolved auto settings and a k-NN accuracy per epoch in history.json and the manifest', async () => {
    // The monitor is opt-in (it makes pretraining read labels): on here, so the plan wires monitor/labels.
    const plan = pretrainPlan(dataset, 'swavauto', {
      epochs: 2,
      freezePrototypesSteps: 2,
      monitorCrops: 500,
    });
    assert.deepEqual(plan.nodes.find((n) => n.id === 'backbone@swav')?.inputs, {
      crops: 'crop',
      'monitor/labels': 'ingest',
    });
    const result = await (await startPipelineRun(w.client, w.settings, plan)).result();
    // Content-addressed: another test's identical generated shelves may already hold the label-free stages.
    assert.deepEqual(
      result.nodes.filter((n) => n.status !== 'done' && n.status !== 'cached'),
      [],
    );
    assert.equal(result.nodes.find((n) => n.id === 'backbone@swav')?.status, 'done');
    const ref = result.refs['backbone@swav']!;
    const manifest = (await readManifest(bucket(), 'pretrain', ref.key))!;
    const history = JSON.parse((await readArtefactFile(bucket(), manifest, 'history.json')).toString());
    // 16 px crops: global views are the whole crop at most halved, no local crops, jitter at half strength.
    assert.deepEqual(history.auto.globalScale, [0.5, 1]);
    assert.equal(history.auto.localCount, 0);
    assert.equal(history.auto.colorJitter, 0.5);
    assert.equal(history.settings.prototypes, history.auto.prototypes);
    assert.equal(history.epochs.length, 2);
    for (const e of history.epochs) {
      assert.ok(e.knnAccuracy > 0 && e.knnAccuracy <= 1, `epoch ${e.epoch} k-NN ${e.knnAccuracy}`);
      assert.ok(e.predictionEntropy > 0 && e.featureSpread > 0);
    }
    assert.ok(history.monitor.crops >= 100 && history.monitor.knnAtInit > 0, JSON.stringify(history.monitor));
    const metrics = manifest.metrics as {
      epochs: Array<{ knn: number }>;
      auto: unknown;
      collapseRetries: [];
    };
    assert.equal(metrics.epochs.length, 2);
    assert.equal(metrics.epochs[1]?.knn, history.epochs[1].knnAccuracy);
    assert.deepEqual(metrics.auto, history.auto);
    assert.deepEqual(metrics.collapseRetries, []);
  });

  it('with maxImages it trains on that many crops, read from the pool row by row', async () => {
    const plan = pretrainPlan(dataset, 'swavsubset', { epochs: 1, freezePrototypesSteps: 2, maxImages: 48 });
    const result = await (await startPipelineRun(w.client, w.settings, plan)).result();
    const ref = result.refs['backbone@swav']!;
    const manifest = (await readManifest(bucket(), 'pretrain', ref.key))!;
    const metrics = manifest.metrics as { images: number; steps: number };
    assert.equal(metrics.images, 48);
    assert.equal(metrics.steps, 3, '48 crops in batches of 16: three steps in the one epoch');
  });

  it('a run that stays collapsed is retried once from its last healthy epoch with the fixes, then fails naming them', async () => {
    // A softmax temperature of 100 makes every prediction flat: loss pinned at ln K from the first epoch,
    // and none of the fixes touches the temperature, so the retry collapses too.
    const plan = pretrainPlan(dataset, 'swavcollapse', {
      epochs: 4,
      temperature: 100,
      collapsePatience: 1,
      freezePrototypesSteps: 2,
    });
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await assert.rejects(handle.result(), /Workflow execution failed/);
    const run = await handle.query<RunState>('runState');
    const node = run.nodes.find((n) => n.id === 'backbone@swav');
    assert.equal(node?.status, 'failed');
    assert.match(node?.error ?? '', /SwAV collapsed/);
    assert.match(node?.error ?? '', /predictions uniform/);
    assert.match(node?.error ?? '', /swav\.epsilon.*swav\.freezePrototypesSteps.*swav\.globalScale/);
    assert.match(node?.error ?? '', /one retry \(swav\.epsilon: 0\.03, .*\) did not help/);
    assert.match(
      node?.error ?? '',
      /next try e\.g\. swav\.epsilon: 0\.018, .*swav\.globalScale: \[0\.78, 1\]/,
    );
    // The retry is part of the trainer's state: a crash during it resumes the retried run.
    const state = await collapsedRunState();
    assert.equal(state.recoveries.length, 1);
    const [retry] = state.recoveries;
    assert.equal(retry?.restartedFromEpoch, 0, 'no healthy epoch: restarted from the initial weights');
    assert.equal(retry?.detectedAtEpoch, 1);
    assert.equal(retry?.abandoned.length, 1);
    assert.deepEqual(
      retry?.changes.map((c) => c.key),
      ['epsilon', 'freezePrototypesSteps', 'globalScale', 'colorJitter'],
    );
    assert.deepEqual(
      retry?.changes.filter((c) => c.key !== 'freezePrototypesSteps').map((c) => c.to),
      [0.03, [0.67, 1], 0.25],
    );
    assert.equal(state.config.epsilon, 0.03);
    assert.ok((state.config.freezePrototypesIterations ?? 0) >= 4);
  });
});
