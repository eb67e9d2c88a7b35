import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { connectClient } from '../../cli/client.js';
import { startPipelineRun } from '../../cli/runs.js';
import type { Settings } from '../../config/settings.js';
import { holdBackPhotos } from '../../data/shelves/hold-back.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { RunConfigSchema } from '../../pipelines/paper.js';
import type { Manifest } from '../../store/artefact-schema.js';
import { type Bucket, bucketOf, readManifest } from '../../store/artefacts.js';
import { faultPlan, tinyPaperConfig } from '../faults/tiny-plan.js';
import { harnessRoot, testSettings } from '../support/env.js';
import { spawnWorkerProcess, stopAll, type WorkerProcess } from '../support/processes.js';

/**
 * Crop and feature work spread over worker processes as partition nodes, and cached per photo: week 1 on N
 * photos, week 2 on N + 1 (5 %) photos computes crops and features for the new photo only.
 */
const PARTS = 3;
const N = 20;

describe('partitions: crop and features spread over three gpu and two cpu workers, incremental weeks', () => {
  let settings: Settings;
  let client: Client;
  let closeClient: () => Promise<void>;
  let bucket: Bucket;
  let dataset = '';
  let restore: () => Promise<void> = async () => {};
  const workers: WorkerProcess[] = [];

  before(async () => {
    const dir = mkdtempSync(path.join(harnessRoot(), 'partitions-'));
    dataset = path.join(dir, 'shelves');
    await makeShelves({ ...tinyShelvesOptions(dataset, 2010, N + 1), labelShare: 0.6 });
    ({ restore } = await holdBackPhotos(dataset, 1));
    settings = testSettings('partitions');
    ({ client, close: closeClient } = await connectClient(settings));
    bucket = bucketOf(settings);
    for (const [i, queue] of (['cpu', 'cpu', 'gpu', 'gpu', 'gpu'] as const).entries()) {
      workers.push(
        spawnWorkerProcess(settings, { queue, logFile: path.join(dir, `worker-${i}-${queue}.log`) }),
      );
    }
  });

  after(async () => {
    await stopAll(workers);
    await closeClient?.();
  });

  function plan(): DagPlan {
    const tiny = tinyPaperConfig(dataset, { epochs: 1, checkpointEverySteps: 100 }, 'partitions');
    const arch = { kind: 'small-resnet', inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1], seed: 3 };
    const config = RunConfigSchema.parse({
      ...tiny,
      backbones: [{ name: 'random', kind: 'random', arch }],
      partitions: PARTS,
    });
    const keep = ['snapshot', 'ingest', 'boxes', 'crop', 'backbone@random', 'features@random'];
    for (let p = 0; p < PARTS; p++) keep.push(`crop-part/${p}`, `features-part/${p}@random`);
    return faultPlan(config, keep, { heartbeatTimeout: '30 seconds', initialInterval: '1 second' });
  }

  async function runWeek(label: string): Promise<Record<string, Manifest>> {
    const handle = await startPipelineRun(client, settings, plan(), {
      workflowId: `partitions-${label}-${Date.now()}`,
    });
    const result = await handle.result();
    const failed = result.nodes.filter((n) => n.status !== 'done' && n.status !== 'cached');
    assert.deepEqual(
      failed.map((n) => `${n.id}: ${n.error ?? n.status}`),
      [],
    );
    const manifests: Record<string, Manifest> = {};
    for (const [node, ref] of Object.entries(result.refs)) {
      const m = await readManifest(bucket, ref.stage, ref.key);
      if (m) manifests[node] = m;
    }
    return manifests;
  }

  const sum = (ms: Record<string, Manifest>, prefix: string, metric: string) =>
    Object.entries(ms)
      .filter(([id]) => id.startsWith(prefix))
      .reduce((n, [, m]) => n + Number(m.metrics[metric] ?? 0), 0);

  it('week 1 spreads partitions over workers; week 2 crops and extracts the new photo only', async () => {
    const week1 = await runWeek('week1');
    const pidsOf = (prefix: string) =>
      new Set(
        Object.entries(week1)
          .filter(([id]) => id.startsWith(prefix))
          .map(([, m]) => m.worker.pid),
      );
    const cropPids = pidsOf('crop-part/');
    const featurePids = pidsOf('features-part/');
    console.log(
      `[partitions] crop parts by pids ${[...cropPids]}, feature parts by pids ${[...featurePids]}`,
    );
    assert.ok(
      featurePids.size > 1,
      `feature partitions ran on ${featurePids.size} gpu worker(s), expected > 1`,
    );
    assert.ok(cropPids.size >= 1);
    // Week 1 computed every photo once, in the partitions; the assembling nodes found them all made.
    assert.equal(sum(week1, 'crop-part/', 'photosComputed'), N);
    assert.equal(week1.crop!.metrics.photosComputed, 0);
    assert.equal(week1.crop!.metrics.photosReused, N);
    assert.equal(sum(week1, 'features-part/', 'photosComputed'), N);
    assert.equal(week1['features@random']!.metrics.photosReused, N);
    // The assembled artefacts list the per-photo partitions they are built from.
    const cropInputs = Object.keys(week1.crop!.inputs);
    assert.equal(cropInputs.filter((k) => k.startsWith('photo/')).length, N);
    assert.equal(cropInputs.filter((k) => k.startsWith('part/')).length, PARTS);

    await restore();
    const week2 = await runWeek('week2');
    assert.equal(sum(week2, 'crop-part/', 'photosComputed'), 1, 'week 2 crops the new photo only');
    assert.equal(sum(week2, 'crop-part/', 'photosReused'), N);
    assert.equal(sum(week2, 'features-part/', 'photosComputed'), 1, 'week 2 extracts the new photo only');
    assert.equal(week2['features@random']!.metrics.photosReused, N + 1);
    // Old crops keep their held-out marks: the fixed test split does not move.
    const heldOut = (m: Manifest) => Number(m.metrics.heldOut);
    assert.ok(heldOut(week2.crop!) >= heldOut(week1.crop!));
  });
});
