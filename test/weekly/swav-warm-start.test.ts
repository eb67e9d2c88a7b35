// SwAV warm start through Temporal + MinIO on tiny shelves: `initFrom: previous` begins from the previous
// run's backbone on its own shorter schedule, and the manifest (Lineage) and history.json name that backbone.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

const ARCH = { kind: 'small-resnet', inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1], seed: 3 };

/** Up to the SwAV backbone only. */
function pretrainPlan(location: string, name: string, swav: Record<string, unknown>): DagPlan {
  const config = RunConfigSchema.parse({
    name,
    dataset: { location },
    crop: { cropSize: 16, seed: 1841 },
    backbones: [
      {
        name: 'swav',
        kind: 'swav',
        swav: { arch: ARCH, batchSize: 16, projHidden: 32, projOut: 16, ...swav },
      },
    ],
    sweep: { fractions: [100], seeds: 1 },
  });
  const plan = expandPaperPipeline(config);
  const keep = ['snapshot', 'ingest', 'boxes', 'crop', 'backbone@swav'];
  return { pipeline: plan.pipeline, nodes: plan.nodes.filter((n) => keep.includes(n.id)) };
}

const HistorySchema = z.looseObject({
  initFrom: z
    .object({
      requested: z.string().nullable(),
      ref: z.object({ stage: z.string(), key: z.string(), digest: z.string() }),
      schedule: z.object({ epochs: z.number(), lr: z.number(), warmupEpochs: z.number() }),
    })
    .nullable(),
  epochs: z.array(z.unknown()),
});

describe('SwAV warm start (swav.initFrom)', () => {
  let w: RunningWorker;
  let dataset: string;
  before(async () => {
    dataset = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-warm-start-'));
    await makeShelves({ ...tinyShelvesOptions(dataset, 1840, 16), labelShare: 0.6 });
    w = await startTestWorker('warm-start', undefined, { gpuQueue: true });
  });
  after(async () => {
    await w.stop();
  });

  it('a first run starts cold; the next begins from its backbone on the warm schedule, named in lineage', async () => {
    const b = bucketOf(w.settings);
    const name = `warm-${Date.now() % 100_000}`;
    const warm = { initFrom: 'previous', warmStart: { epochs: 1, lr: 0.02 } };
    const first = await (
      await startPipelineRun(w.client, w.settings, pretrainPlan(dataset, name, { ...warm, epochs: 2 }))
    ).result();
    const firstRef = first.refs['backbone@swav']!;
    const firstManifest = await readManifest(b, firstRef.stage, firstRef.key);
    assert.ok(firstManifest);
    assert.equal(firstManifest.inputs['init/backbone'], undefined, 'no earlier run: a cold start');
    const firstHistory = HistorySchema.parse(
      JSON.parse((await readArtefactFile(b, firstManifest, 'history.json')).toString()),
    );
    assert.equal(firstHistory.initFrom, null);
    assert.equal(firstHistory.epochs.length, 2, 'the cold schedule (epochs: 2)');

    const second = await (
      await startPipelineRun(w.client, w.settings, pretrainPlan(dataset, name, { ...warm, epochs: 2 }))
    ).result();
    const ref = second.refs['backbone@swav']!;
    assert.notEqual(ref.key, firstRef.key, 'another input (the backbone it starts from): recomputed');
    const manifest = await readManifest(b, ref.stage, ref.key);
    assert.ok(manifest);
    assert.deepEqual(
      manifest.inputs['init/backbone'],
      firstRef,
      'lineage names the backbone it started from',
    );
    const history = HistorySchema.parse(
      JSON.parse((await readArtefactFile(b, manifest, 'history.json')).toString()),
    );
    assert.deepEqual(history.initFrom, {
      requested: 'previous',
      ref: firstRef,
      schedule: { epochs: 1, lr: 0.02, warmupEpochs: 0 },
    });
    assert.equal(history.epochs.length, 1, 'the warm schedule (warmStart.epochs: 1)');
    assert.equal(manifest.metrics.initFrom, `${firstRef.stage}/${firstRef.key}`);

    // Named by its store address instead: the same backbone, so the same input.
    const byRef = { initFrom: `${firstRef.stage}/${firstRef.key}`, warmStart: { epochs: 1, lr: 0.02 } };
    const third = await (
      await startPipelineRun(w.client, w.settings, pretrainPlan(dataset, name, { ...byRef, epochs: 2 }))
    ).result();
    const thirdManifest = await readManifest(
      b,
      third.refs['backbone@swav']!.stage,
      third.refs['backbone@swav']!.key,
    );
    assert.deepEqual(thirdManifest?.inputs['init/backbone'], firstRef);
  });

  it('an unknown alias fails the run at once, naming swav.initFrom', async () => {
    const handle = await startPipelineRun(
      w.client,
      w.settings,
      pretrainPlan(dataset, `warm-bad-${Date.now() % 100_000}`, { initFrom: 'no-such-alias' }),
    );
    await assert.rejects(handle.result(), (err: Error) => {
      let text = '';
      for (let e: unknown = err; e instanceof Error; e = e.cause) text += `${e.message}\n`;
      assert.match(text, /swav\.initFrom: "no-such-alias" is no alias/);
      return true;
    });
  });
});
