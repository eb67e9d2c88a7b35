import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { startPipelineRun } from '../../cli/runs.js';
import type { DagNode, DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { createS3Client, readObject } from '../../store/s3.js';
import { PipelineRunResultSchema, partialResultOf } from '../../workflows/run-result.js';
import { runStateQuery } from '../../workflows/run-state.js';
import {
  collectStage,
  executions,
  FAIL_MESSAGE,
  FAKE_STAGES,
  failStage,
  generateStage,
  scaleStage,
} from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

const GROUPS = ['10pct/seed1', '20pct/seed1'];
const BACKBONES = ['good', 'bad'];

/**
 * The paper's shape in miniature: two backbones (one fails deterministically), each sweep point a group with
 * head + eval nodes of BOTH backbones, a point holding only the failed backbone's nodes, and a report that
 * takes every eval as an optional input.
 */
function twoBackbones(offset: number): DagPlan {
  const nodes: DagNode[] = [
    stageNode(generateStage.def, 'data', { count: 3, offset }, {}),
    stageNode(scaleStage.def, 'backbone@good', { factor: 2 }, { src: 'data' }),
    stageNode(failStage.def, 'backbone@bad', {}, { src: 'data' }),
  ];
  const evals: Record<string, string> = {};
  for (const [g, group] of GROUPS.entries()) {
    for (const b of BACKBONES) {
      const point = `${b}/${group}`;
      nodes.push(
        stageNode(scaleStage.def, `head@${point}`, { factor: 10 + g }, { src: `backbone@${b}` }, group),
        stageNode(scaleStage.def, `eval@${point}`, { factor: 1 }, { src: `head@${point}` }, group),
      );
      evals[`eval/${point}`] = `eval@${point}`;
    }
  }
  nodes.push(stageNode(scaleStage.def, 'head@bad/only', { factor: 7 }, { src: 'backbone@bad' }, 'bad-only'));
  nodes.push({
    ...stageNode(collectStage.def, 'report', {}, { src: 'data', ...evals }),
    optionalInputs: Object.keys(evals),
  });
  return { pipeline: 'failed-branch', nodes };
}

describe('one failed branch never wipes the rest (real Temporal + MinIO)', () => {
  let w: RunningWorker;
  before(async () => {
    w = await startTestWorker('failed-branch', FAKE_STAGES);
  });
  after(async () => {
    await w.stop();
  });

  it("a failing backbone skips only its dependants; the other backbone's rows and the report exist", async () => {
    const mark = executions.length;
    const handle = await startPipelineRun(w.client, w.settings, twoBackbones(Date.now() % 100_000));
    const err = await handle.result().then(
      () => assert.fail('the run must fail: one backbone failed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError);
    const message = String(err.cause?.message);
    assert.equal(message.split(FAIL_MESSAGE.trim()).length - 1, 1, `the error appears once: ${message}`);
    assert.match(message, /^1 stage\(s\) failed: backbone@bad: .*; 5 skipped \(upstream: backbone@bad\)$/s);

    const ran = executions.slice(mark).map((e) => e.nodeId);
    for (const group of GROUPS) {
      assert.ok(ran.includes(`head@good/${group}`), `head@good/${group} ran`);
      assert.ok(ran.includes(`eval@good/${group}`), `eval@good/${group} ran`);
    }
    assert.ok(ran.includes('report'));
    assert.ok(!ran.some((id) => id.startsWith('head@bad') || id.startsWith('eval@bad')));

    const state = await handle.query(runStateQuery);
    const byId = new Map(state.nodes.map((n) => [n.id, n]));
    assert.equal(state.status, 'failed');
    assert.equal(byId.get('backbone@bad')?.status, 'failed');
    assert.match(byId.get('backbone@bad')?.error ?? '', /simulated deterministic failure/);
    for (const n of state.nodes.filter((x) => x.id.includes('@bad/'))) {
      assert.equal(n.status, 'skipped', n.id);
      assert.deepEqual(n.upstream, ['backbone@bad'], n.id);
      assert.equal(n.error, undefined, `${n.id} must not copy the error`);
    }
    for (const group of GROUPS) {
      const good = byId.get(`eval@good/${group}`);
      assert.equal(good?.status, 'done');
      assert.equal(good?.child, `${handle.workflowId}/${group}`);
    }
    assert.equal(byId.get('report')?.status, 'done');

    // The sweep point learnt which of its inputs failed: its own state says so, without the error.
    const child = await w.client.workflow.getHandle(`${handle.workflowId}/10pct/seed1`).query(runStateQuery);
    const skippedInChild = child.nodes.find((n) => n.id === 'eval@bad/10pct/seed1');
    assert.equal(skippedInChild?.status, 'skipped');
    assert.deepEqual(skippedInChild?.upstream, ['backbone@bad']);
    // A point with nothing left to run starts no child workflow.
    await assert.rejects(w.client.workflow.getHandle(`${handle.workflowId}/bad-only`).describe());

    // The failure carries the result, so the report is found although the run failed.
    const partial = partialResultOf(err, 'PipelineFailed', PipelineRunResultSchema);
    const reportRef = partial?.refs.report;
    assert.ok(reportRef, 'the failed run still hands back its report');
    const s3 = createS3Client(w.settings.s3);
    const read = async (file: string) =>
      JSON.parse(
        (
          await readObject(s3, w.settings.s3.bucket, `artefacts/t-collect/${reportRef.key}/files/${file}`)
        ).toString(),
      );
    assert.deepEqual(await read('values.json'), ['eval/good/10pct/seed1', 'eval/good/20pct/seed1', 'src']);
    const told = await read('upstream-failures.json');
    assert.equal(told.failed.length, 1);
    assert.equal(told.failed[0].node, 'backbone@bad');
    assert.equal(told.failed[0].stage, 't-fail');
    assert.match(told.failed[0].error, /simulated deterministic failure/);
    assert.deepEqual(
      told.missing,
      GROUPS.map((g) => ({ input: `eval/bad/${g}`, node: `eval@bad/${g}`, upstream: ['backbone@bad'] })),
    );
  });
});
