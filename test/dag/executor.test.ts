import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { startPipelineRun } from '../../cli/runs.js';
import type { DagNode, DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { bucketOf, manifestKey, readManifest } from '../../store/artefacts.js';
import { createS3Client, readObject } from '../../store/s3.js';
import { type RunState, runStateQuery } from '../../workflows/run-state.js';
import {
  executions,
  FAKE_STAGES,
  flakyControl,
  flakyStage,
  generateStage,
  scaleStage,
  slowStage,
  sumStage,
} from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

/** gen1 -> scale -> sum <- gen2: two independent branches joined at the end. */
function diamond(factor: number, tag: string, offset: number): DagPlan {
  const nodes: DagNode[] = [
    stageNode(generateStage.def, 'gen1', { count: 5, offset }, {}),
    stageNode(generateStage.def, 'gen2', { count: 3, offset: offset + 100 }, {}),
    stageNode(scaleStage.def, 'scale', { factor }, { src: 'gen1' }),
    stageNode(sumStage.def, 'sum', {}, { a: 'scale', b: 'gen2' }),
  ];
  return { pipeline: `diamond-${tag}`, nodes };
}

const ran = (since: number) =>
  executions
    .slice(since)
    .map((e) => e.nodeId)
    .sort();

describe('DAG executor against the real Temporal + MinIO', () => {
  let w: RunningWorker;
  before(async () => {
    w = await startTestWorker('dag', FAKE_STAGES);
  });
  after(async () => {
    await w.stop();
  });

  it('runs every stage once, then a second run is all cache hits with no stage body executed', async () => {
    const plan = diamond(2, 'cache', 1000);
    let mark = executions.length;
    const first = await (await startPipelineRun(w.client, w.settings, plan)).result();
    assert.deepEqual(ran(mark), ['gen1', 'gen2', 'scale', 'sum']);
    assert.ok(first.nodes.every((n) => n.status === 'done' && n.cacheHit === false));

    const s3 = createS3Client(w.settings.s3);
    const sumRef = first.refs.sum!;
    const out = await readObject(s3, w.settings.s3.bucket, `artefacts/t-sum/${sumRef.key}/files/values.json`);
    assert.deepEqual(JSON.parse(out.toString()), [
      (1000 + 1001 + 1002 + 1003 + 1004) * 2 + (1100 + 1101 + 1102),
    ]);

    mark = executions.length;
    const t0 = Date.now();
    const second = await (await startPipelineRun(w.client, w.settings, plan)).result();
    const elapsed = Date.now() - t0;
    assert.deepEqual(ran(mark), [], 'no stage body may run on a fully cached re-run');
    assert.ok(second.nodes.every((n) => n.status === 'cached' && n.cacheHit === true));
    assert.deepEqual(second.refs, first.refs);
    assert.ok(elapsed < 10_000, `cached re-run took ${elapsed} ms`);
  });

  it('changing one param recomputes that stage and its descendants only', async () => {
    await (await startPipelineRun(w.client, w.settings, diamond(2, 'param', 2000))).result();
    const mark = executions.length;
    const result = await (await startPipelineRun(w.client, w.settings, diamond(3, 'param', 2000))).result();
    assert.deepEqual(ran(mark), ['scale', 'sum']);
    const status = Object.fromEntries(result.nodes.map((n) => [n.id, n.status]));
    assert.deepEqual(status, { gen1: 'cached', gen2: 'cached', scale: 'done', sum: 'done' });
  });

  it('--force recomputes everything; --stage recomputes that stage and what depends on it', async () => {
    const plan = diamond(2, 'force', 3000);
    await (await startPipelineRun(w.client, w.settings, plan)).result();
    let mark = executions.length;
    await (await startPipelineRun(w.client, w.settings, plan, { force: true })).result();
    assert.deepEqual(ran(mark), ['gen1', 'gen2', 'scale', 'sum']);
    mark = executions.length;
    await (await startPipelineRun(w.client, w.settings, plan, { recomputeStages: ['t-scale'] })).result();
    assert.deepEqual(ran(mark), ['scale', 'sum']);
  });

  it('a terminal failure fails the run; re-running resumes at the failed stage', async () => {
    const plan: DagPlan = {
      pipeline: 'flaky',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 4, offset: 7 }, {}),
        stageNode(flakyStage.def, 'flaky', {}, { src: 'gen' }),
        stageNode(scaleStage.def, 'after', { factor: 10 }, { src: 'flaky' }),
      ],
    };
    flakyControl.failing = true;
    let mark = executions.length;
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(String(err.cause?.message), /flaky: .*simulated terminal failure/);
      return true;
    });
    assert.deepEqual(ran(mark), ['flaky', 'gen'], 'non-retryable: one attempt, downstream never ran');
    const state = await handle.query(runStateQuery);
    const byId = Object.fromEntries(state.nodes.map((n) => [n.id, n.status]));
    assert.deepEqual(byId, { gen: 'done', flaky: 'failed', after: 'skipped' });

    flakyControl.failing = false;
    mark = executions.length;
    const rerun = await (await startPipelineRun(w.client, w.settings, plan)).result();
    assert.deepEqual(ran(mark), ['after', 'flaky']);
    assert.equal(rerun.nodes.find((n) => n.id === 'gen')?.status, 'cached');
  });

  it('a corrupted or deleted data object is detected by digest and the stage recomputes', async () => {
    const plan = diamond(5, 'corrupt', 4000);
    const first = await (await startPipelineRun(w.client, w.settings, plan)).result();
    const s3 = createS3Client(w.settings.s3);
    const bucket = bucketOf(w.settings, s3);
    const scaleRef = first.refs.scale!;
    const manifest = await readManifest(bucket, 't-scale', scaleRef.key);
    const file = manifest!.files[0]!;
    const original = await readObject(s3, bucket.bucket, file.objectKey);
    const flipped = Buffer.from(original);
    flipped[1] = (flipped[1] ?? 0) ^ 0x01;
    await s3.putObject(bucket.bucket, file.objectKey, flipped, flipped.length);

    let mark = executions.length;
    const second = await (await startPipelineRun(w.client, w.settings, plan)).result();
    assert.deepEqual(
      ran(mark),
      ['scale'],
      'only the corrupted stage recomputes; same content => sum stays cached',
    );
    const scaleState = second.nodes.find((n) => n.id === 'scale')!;
    assert.match(scaleState.missReason ?? '', /corrupt: values\.json: content changed/);
    assert.deepEqual(await readObject(s3, bucket.bucket, file.objectKey), original);

    await s3.removeObject(bucket.bucket, file.objectKey);
    mark = executions.length;
    const third = await (await startPipelineRun(w.client, w.settings, plan)).result();
    assert.deepEqual(ran(mark), ['scale']);
    assert.match(third.nodes.find((n) => n.id === 'scale')?.missReason ?? '', /values\.json: missing/);
    assert.ok(manifestKey('t-scale', scaleRef.key).endsWith('manifest.json'));
  });

  it('a sweep runs its points as parallel child workflows and computes the shared upstream once', async () => {
    const fractions = [10, 20, 30];
    const plan: DagPlan = {
      pipeline: 'sweep',
      nodes: [
        stageNode(generateStage.def, 'shared', { count: 10, offset: 555 }, {}),
        ...fractions.map((f) =>
          stageNode(
            scaleStage.def,
            `fit@${f}pct`,
            { factor: f, delayMs: 1500 },
            { src: 'shared' },
            `${f}pct/seed1`,
          ),
        ),
        stageNode(sumStage.def, 'report', {}, { a: 'fit@10pct', b: 'fit@30pct' }),
      ],
    };
    const mark = executions.length;
    const handle = await startPipelineRun(w.client, w.settings, plan);
    const result = await handle.result();
    const runs = executions.slice(mark);
    assert.equal(runs.filter((e) => e.nodeId === 'shared').length, 1);
    const fits = runs.filter((e) => e.stage === 't-scale');
    assert.equal(fits.length, 3);
    const overlap = Math.min(...fits.map((e) => e.end)) - Math.max(...fits.map((e) => e.start));
    assert.ok(overlap > 0, 'the three sweep points overlapped in time');
    const children = result.nodes.filter((n) => n.stage === 't-scale').map((n) => n.child);
    assert.deepEqual(children.sort(), fractions.map((f) => `${handle.workflowId}/${f}pct/seed1`).sort());
    const child = await w.client.workflow.getHandle(`${handle.workflowId}/20pct/seed1`).describe();
    assert.equal(child.status.name, 'COMPLETED');
  });

  it('the run query shows live progress of a stage that heartbeats', async () => {
    process.env.SHELFSSL_PROGRESS_SIGNAL_MS = '200';
    const plan: DagPlan = {
      pipeline: 'progress',
      nodes: [stageNode(slowStage.def, 'slow', { steps: 12, stepMs: 250 }, {})],
    };
    const handle = await startPipelineRun(w.client, w.settings, plan, { force: true });
    let seen: RunState['nodes'][number] | undefined;
    for (let i = 0; i < 40 && !seen; i++) {
      await new Promise((r) => setTimeout(r, 150));
      const state = await handle.query(runStateQuery);
      const node = state.nodes[0];
      if (node?.status === 'running' && (node.progress?.step ?? 0) >= 2) seen = node;
    }
    assert.ok(seen, 'query showed the running stage with progress');
    assert.equal(seen.progress?.unit, 'steps');
    assert.equal(seen.progress?.total, 12);
    await handle.result();
    const final = await handle.query(runStateQuery);
    assert.equal(final.status, 'completed');
  });
});
