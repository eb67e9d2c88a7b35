import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { type Bucket, bucketOf, readManifest } from '../../store/artefacts.js';
import { readObject } from '../../store/s3.js';
import { harnessRoot } from '../support/env.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';
import { faultRng, uniqueRunId, withTimeout } from './fault-mode.js';
import { faultPlan, tinyPaperConfig } from './tiny-plan.js';

const CROP_NODES = ['snapshot', 'ingest', 'boxes', 'crop'];

describe('a corrupted byte in a cached artefact of a real stage', () => {
  let w: RunningWorker;
  let plan: DagPlan;
  let bucket: Bucket;

  before(async () => {
    const dir = mkdtempSync(path.join(harnessRoot(), 'corrupt-'));
    // labelShare 0.6: at the default 0.3 this seed labels no tshirt, and ingest refuses a class without labels.
    await makeShelves({ ...tinyShelvesOptions(path.join(dir, 'shelves'), 23, 6), labelShare: 0.6 });
    w = await startTestWorker('corrupt');
    bucket = bucketOf(w.settings);
    const config = tinyPaperConfig(
      path.join(dir, 'shelves'),
      { epochs: 1, checkpointEverySteps: 5 },
      'corrupt',
    );
    plan = faultPlan(config, CROP_NODES, { heartbeatTimeout: '30 seconds', initialInterval: '200 ms' });
  });

  after(async () => {
    await w?.stop();
  });

  const run = async () =>
    await withTimeout(
      'crop run',
      120_000,
      (await startPipelineRun(w.client, w.settings, plan, { workflowId: uniqueRunId('corrupt') })).result(),
    );

  it('is detected by digest, only that stage recomputes, and the run completes with the original bytes', async () => {
    const first = await run();
    const cropRef = first.refs.crop!;
    const manifest = (await readManifest(bucket, 'crop', cropRef.key))!;
    const shard = manifest.files.find((f) => f.name.endsWith('.npy'));
    assert.ok(shard, `the crop artefact has an .npy shard (files: ${manifest.files.map((f) => f.name)})`);
    const original = await readObject(bucket.s3, bucket.bucket, shard.objectKey);
    const { rng } = faultRng('corrupt');
    // Past the .npy header, so the flip hits pixel data that no format check would notice.
    const offset = rng.intBetween(128, original.length - 1);
    const flipped = Buffer.from(original);
    flipped[offset] = (flipped[offset] ?? 0) ^ 0x10;
    await bucket.s3.putObject(bucket.bucket, shard.objectKey, flipped, flipped.length);

    const second = await run();
    const byId = Object.fromEntries(second.nodes.map((n) => [n.id, n]));
    assert.equal(byId.ingest?.status, 'cached');
    assert.equal(byId.crop?.status, 'done', 'the corrupted crop artefact was recomputed');
    assert.match(byId.crop?.missReason ?? '', /^corrupt: /);
    assert.match(byId.crop?.missReason ?? '', new RegExp(shard.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(second.refs.crop?.digest, cropRef.digest, 'a deterministic recompute gives the same digest');
    assert.deepEqual(await readObject(bucket.s3, bucket.bucket, shard.objectKey), original);
    console.log(
      `[faults] corrupt: flipped byte ${offset} of ${shard.name}; missReason "${byId.crop?.missReason}"`,
    );

    const third = await run();
    assert.equal(
      third.nodes.find((n) => n.id === 'crop')?.status,
      'cached',
      'the repaired artefact is a hit',
    );
  });
});
