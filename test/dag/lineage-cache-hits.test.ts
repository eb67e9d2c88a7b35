import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { z } from 'zod';
import { defineStage } from '../../activities/stage-types.js';
import {
  cacheHitsOfRun,
  lineageRows,
  nodesByArtefact,
  upstreamManifests,
} from '../../activities/stages/support/lineage.js';
import { startPipelineRun } from '../../cli/runs.js';
import type { DagNode, DagPlan } from '../../pipelines/dag.js';
import type { StageDef } from '../../pipelines/stage.js';
import { stageNode } from '../../pipelines/stage.js';
import { bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { FAKE_STAGES, generateStage, scaleStage } from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

const lineageDef = {
  name: 't-lineage',
  description: "test stage: the report's Lineage rows from its inputs and what the workflow told it",
  codeVersion: 1,
  params: z.strictObject({}),
  inputs: { src: 'values' },
  outputs: ['lineage.json', 'told.json'],
  queue: 'cpu',
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '10 seconds',
  retry: { maximumAttempts: 1, initialInterval: '100 ms' },
} satisfies StageDef;

/** Builds the Lineage rows exactly as the report stage does (same functions), without the rest of a report. */
const lineageStage = defineStage({
  module: import.meta.url,
  def: lineageDef,
  async run(ctx) {
    const manifests = await upstreamManifests(
      ctx.bucket,
      Object.values(ctx.inputs).map((i) => i.ref),
    );
    await ctx.writer.putJson(
      'lineage.json',
      lineageRows(manifests, cacheHitsOfRun(ctx.upstreamCacheHits), nodesByArtefact(ctx.upstreamNodes)),
    );
    await ctx.writer.putJson('told.json', ctx.upstreamCacheHits ?? null);
    return { metrics: {} };
  },
});

const GROUPS = ['10pct/seed1', '20pct/seed1'];

/**
 * data -> backbone -> {head -> eval} per sweep point -> lineage (volatile, like the report). `delayMs` is a
 * backbone param that changes its key but not its output, so on the re-run the sweep points' members are
 * cache hits found inside their child workflows, not by the parent's upfront lookup.
 */
function plan(offset: number, delayMs: number, volatile = true): DagPlan {
  const nodes: DagNode[] = [
    stageNode(generateStage.def, 'data', { count: 3, offset }, {}),
    stageNode(scaleStage.def, 'backbone', { factor: 2, delayMs }, { src: 'data' }),
  ];
  const evals: Record<string, string> = {};
  for (const [i, group] of GROUPS.entries()) {
    nodes.push(
      stageNode(scaleStage.def, `head@${group}`, { factor: 10 + i }, { src: 'backbone' }, group),
      stageNode(scaleStage.def, `eval@${group}`, { factor: 1 }, { src: `head@${group}` }, group),
    );
    evals[`eval/${group}`] = `eval@${group}`;
  }
  nodes.push({ ...stageNode(lineageDef, 'lineage', {}, { src: 'data', ...evals }), volatile });
  return { pipeline: 'lineage-hits', nodes };
}

describe("the report's Lineage cache-hit column comes from the workflow (real Temporal + MinIO)", () => {
  let w: RunningWorker;
  before(async () => {
    w = await startTestWorker('lineage', [...FAKE_STAGES, lineageStage]);
  });
  after(async () => {
    await w.stop();
  });

  async function runLineage(p: DagPlan) {
    const handle = await startPipelineRun(w.client, w.settings, p);
    const result = await handle.result();
    const bucket = bucketOf(w.settings);
    const ref = result.refs.lineage;
    assert.ok(ref, 'the lineage node produced its artefact');
    const manifest = await readManifest(bucket, ref.stage, ref.key);
    assert.ok(manifest);
    const read = async (file: string): Promise<unknown> =>
      JSON.parse((await readArtefactFile(bucket, manifest, file)).toString());
    const rows = z
      .array(
        z.object({
          stage: z.string(),
          key: z.string(),
          cacheHit: z.boolean(),
          nodes: z.array(z.string()).optional(),
        }),
      )
      .parse(await read('lineage.json'));
    return { workflowId: handle.workflowId, result, rows, told: await read('told.json') };
  }

  it('says "yes" for every artefact a re-run took from the cache, sweep points included, "no" otherwise', async () => {
    const offset = Date.now() % 100_000;
    const first = await runLineage(plan(offset, 0));
    assert.deepEqual(first.told, [], 'a first run is told it took nothing from the cache');
    assert.equal(first.rows.length, 6, 'data, backbone, two heads, two evals');
    assert.ok(first.rows.every((r) => !r.cacheHit));

    const second = await runLineage(plan(offset, 1));
    const byId = new Map(second.result.nodes.map((n) => [n.id, n]));
    assert.equal(byId.get('backbone')?.cacheHit, false, 'the backbone recomputed (new key, same output)');
    for (const group of GROUPS) {
      const member = byId.get(`eval@${group}`);
      assert.equal(member?.status, 'cached');
      assert.equal(member?.child, `${second.workflowId}/${group}`, 'found by its sweep point, not upfront');
    }
    const refOf = (id: string) => byId.get(id)?.ref;
    const hitIds = ['data', ...GROUPS.flatMap((g) => [`eval@${g}`, `head@${g}`])].sort();
    assert.deepEqual(
      second.told,
      hitIds.map((id) => ({ node: id, stage: refOf(id)?.stage, key: refOf(id)?.key })),
      'the workflow tells the volatile node its upstream cache hits: node ids and keys',
    );
    const hitKeys = new Set(hitIds.map((id) => refOf(id)?.key));
    for (const row of second.rows)
      assert.equal(row.cacheHit, hitKeys.has(row.key), `${row.stage} ${row.key.slice(0, 12)}`);
    assert.equal(second.rows.filter((r) => r.cacheHit).length, 5, 'data, two heads, two evals: "yes"');
    // Each row names the run's node ids behind the artefact, computed or cached; an artefact a cached head
    // still reads (the backbone's previous key) was made by no node of this run and names none.
    for (const row of second.rows) {
      const ids = second.result.nodes
        .filter((n) => n.ref?.key === row.key)
        .map((n) => n.id)
        .sort();
      assert.deepEqual(row.nodes ?? [], ids, `${row.stage} names its nodes`);
    }
    assert.ok(second.rows.some((r) => r.nodes?.includes('eval@10pct/seed1')));
  });

  it('a node that is not volatile is told nothing, and its Lineage fails instead of reading all "no"', async () => {
    const handle = await startPipelineRun(w.client, w.settings, plan(Date.now() % 100_000, 0, false));
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      assert.match(
        String(err.cause?.message),
        /lineage: .*did not tell this run's cache hits.*volatile: true/s,
      );
      return true;
    });
  });
});
