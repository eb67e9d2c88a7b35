import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startPipelineRun } from '../../cli/runs.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import type { ArtefactRef } from '../../store/artefact-schema.js';
import { type Bucket, bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { checkpointPrefix, saveCheckpoint } from '../../store/checkpoints.js';
import { runStateQuery } from '../../workflows/run-state.js';
import { runCli } from '../support/cli.js';
import { executions, FAKE_STAGES, generateStage, scaleStage, sumStage } from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const exists = async (b: Bucket, ref: ArtefactRef) =>
  (await readManifest(b, ref.stage, ref.key)) !== undefined;

async function objectsUnder(b: Bucket, prefix: string): Promise<string[]> {
  const names: string[] = [];
  for await (const item of b.s3.listObjectsV2(b.bucket, prefix, true))
    if (typeof item.name === 'string') names.push(item.name);
  return names;
}

function chain(pipeline: string, offset: number, factor: number): DagPlan {
  return {
    pipeline,
    nodes: [
      stageNode(generateStage.def, 'gen', { count: 2, offset }, {}),
      stageNode(scaleStage.def, 'scale', { factor }, { src: 'gen' }),
      stageNode(sumStage.def, 'sum', {}, { a: 'gen', b: 'scale' }),
    ],
  };
}

describe('shelfssl gc (real Temporal + MinIO)', () => {
  let w: RunningWorker;
  let b: Bucket;
  before(async () => {
    w = await startTestWorker('gc', FAKE_STAGES);
    b = bucketOf(w.settings);
  });
  after(async () => {
    await w.stop();
  });

  it('a gc during a run removes an older run but nothing the running run took from the cache or needs', async () => {
    const pipeline = `gc-live-${randomUUID().slice(0, 6)}`;
    const old = await (await startPipelineRun(w.client, w.settings, chain(pipeline, 1831, 5))).result();
    await (await startPipelineRun(w.client, w.settings, chain(pipeline, 1830, 2))).result();
    const live: DagPlan = {
      pipeline,
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 2, offset: 1830 }, {}),
        stageNode(scaleStage.def, 'scale', { factor: 2 }, { src: 'gen' }),
        stageNode(scaleStage.def, 'slow', { factor: 3, delayMs: 4000 }, { src: 'gen' }),
        stageNode(sumStage.def, 'sum', {}, { a: 'scale', b: 'slow' }),
      ],
    };
    const handle = await startPipelineRun(w.client, w.settings, live);
    for (let i = 0; i < 200; i++) {
      const state = await handle.query(runStateQuery);
      if (state.nodes.find((n) => n.id === 'slow')?.status === 'running') break;
      await sleep(50);
    }
    const gc = await runCli(['gc', '--keep-runs', '1', '--grace-minutes', '0']);
    assert.equal(gc.code, 0, gc.stderr);
    assert.match(gc.stdout, /1 running/);
    assert.match(gc.stdout, /removed [1-9]\d* artefact\(s\)/);

    const result = await handle.result();
    assert.ok(result.nodes.every((n) => n.status === 'done' || n.status === 'cached'));
    const sum = await readManifest(b, result.refs.sum!.stage, result.refs.sum!.key);
    assert.ok(sum);
    // gen = [1830, 1831]; scale x2 sums to 7322, slow x3 to 10983.
    assert.deepEqual(JSON.parse((await readArtefactFile(b, sum, 'values.json')).toString()), [18305]);
    for (const id of ['gen', 'scale'])
      assert.ok(await exists(b, result.refs[id]!), `${id} (from the cache) kept`);
    for (const id of ['gen', 'scale', 'sum'])
      assert.equal(await exists(b, old.refs[id]!), false, `the older run's ${id} removed`);
  });

  it('dry run lists what would go; gc releases published checkpoints; a re-run recomputes only what gc removed', async () => {
    const pipeline = `gc-rerun-${randomUUID().slice(0, 6)}`;
    const planA = chain(pipeline, 1832, 2);
    const a = await (await startPipelineRun(w.client, w.settings, planA)).result();
    const bRun = await (await startPipelineRun(w.client, w.settings, chain(pipeline, 1832, 7))).result();
    const scaleA = a.refs.scale!;
    const sumA = a.refs.sum!;
    await saveCheckpoint(b, scaleA.stage, scaleA.key, 1, Buffer.from('published stage run'));
    const unpublished = `unpublished-${randomUUID().slice(0, 6)}`;
    await saveCheckpoint(b, 't-scale', unpublished, 1, Buffer.from('in-flight stage run'));

    const dry = await runCli(['gc', '--keep-runs', '1', '--grace-minutes', '0', '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(
      dry.stdout,
      /would remove 2 artefact\(s\) and 1 checkpoint set\(s\), \d+(\.\d)? k?B would be freed/,
    );
    for (const unit of [
      `artefacts/t-scale/${scaleA.key}`,
      `artefacts/t-sum/${sumA.key}`,
      `checkpoints/t-scale/${scaleA.key}`,
    ])
      assert.ok(dry.stdout.includes(unit), `${unit} listed:\n${dry.stdout}`);
    assert.ok(!dry.stdout.includes(a.refs.gen!.key), 'gen is shared with the kept run');
    assert.ok(!dry.stdout.includes(unpublished), 'checkpoints of an unpublished stage run stay');
    assert.ok(await exists(b, scaleA), 'a dry run removes nothing');

    const real = await runCli(['gc', '--keep-runs', '1', '--grace-minutes', '0']);
    assert.equal(real.code, 0, real.stderr);
    assert.equal(await exists(b, scaleA), false);
    assert.equal(await exists(b, sumA), false);
    assert.ok(await exists(b, a.refs.gen!));
    for (const id of ['gen', 'scale', 'sum']) assert.ok(await exists(b, bRun.refs[id]!), `kept run's ${id}`);
    assert.deepEqual(await objectsUnder(b, `${checkpointPrefix(scaleA.stage, scaleA.key)}/`), []);
    assert.equal((await objectsUnder(b, `${checkpointPrefix('t-scale', unpublished)}/`)).length, 2);

    const mark = executions.length;
    const again = await (await startPipelineRun(w.client, w.settings, planA)).result();
    const ran = executions
      .slice(mark)
      .map((e) => e.nodeId)
      .sort();
    assert.deepEqual(ran, ['scale', 'sum'], 'only what gc removed is recomputed');
    assert.equal(again.nodes.find((n) => n.id === 'gen')?.cacheHit, true);
    assert.deepEqual(again.refs.scale, scaleA, 'recomputed to the same content address');

    const status = await runCli(['status']);
    assert.match(status.stdout, /^store: \d+(\.\d)? [kMG]?B in \S+ \(artefacts /m);
  });

  it('a run with `gc` in its plan collects garbage after it ends, keeping its own artefacts', async () => {
    const pipeline = `gc-after-${randomUUID().slice(0, 6)}`;
    const old = await (await startPipelineRun(w.client, w.settings, chain(pipeline, 1833, 4))).result();
    const plan: DagPlan = { ...chain(pipeline, 1833, 6), gc: { keepRuns: 1, keepWeeks: 0, graceMinutes: 0 } };
    const handle = await startPipelineRun(w.client, w.settings, plan);
    const result = await handle.result();
    for (const id of ['gen', 'scale', 'sum'])
      assert.ok(await exists(b, result.refs[id]!), `its own ${id} kept`);
    assert.equal(await exists(b, old.refs.scale!), false, "the older run's scale removed");
    assert.equal(await exists(b, old.refs.sum!), false, "the older run's sum removed");
    const events = (await handle.fetchHistory()).events ?? [];
    const gcRuns = events.filter(
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'gcAfterRun',
    );
    assert.equal(gcRuns.length, 1);
  });
});
