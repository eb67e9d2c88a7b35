import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeBundle } from '../../cli/commands/export.js';
import { resolveModel } from '../../cli/model/resolve-model.js';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { setAlias } from '../../store/aliases.js';
import { bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { sha256 } from '../../store/digest.js';
import { PipelineRunResultSchema, partialResultOf } from '../../workflows/run-result.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

// Seeds 1500–1599 (this suite's range): shelves, crops and architectures shared with no other test.
const ARCH = { kind: 'small-resnet', inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1], seed: 1501 };
const ALIAS = 'test-imported-1500';
const common = (location: string, name: string) => ({
  name,
  dataset: { location },
  crop: { cropSize: 16, seed: 1502 },
  heads: { modes: ['supervised'] },
  sweep: { fractions: [100], seeds: 1 },
  report: { title: name },
  champion: null,
});

/** The source run: a supervised backbone (labels, one epoch) and a random-init one, one head each. */
function sourceConfig(location: string) {
  return RunConfigSchema.parse({
    ...common(location, 'imported-source'),
    backbones: [
      {
        name: 'sup',
        kind: 'supervised',
        supervised: { arch: ARCH, epochs: 1, batchSize: 16, lr: 0.05, seed: 1503 },
      },
      { name: 'rand', kind: 'random', arch: ARCH },
    ],
  });
}

/** The target run imports both, from an exported folder and by alias, beside the same random init. */
function targetConfig(location: string, folderModel: string) {
  return RunConfigSchema.parse({
    ...common(location, 'imported-target'),
    backbones: [
      { name: 'rand', kind: 'random', arch: ARCH },
      { name: 'from-folder', kind: 'imported', model: folderModel, inputSize: 16, source: 'test export' },
      { name: 'from-alias', kind: 'imported', model: `alias:${ALIAS}`, inputSize: 16 },
      { name: 'no-such-alias', kind: 'imported', model: 'alias:nowhere-1500', inputSize: 16 },
    ],
  });
}

describe('imported backbones: one that our own pipeline trained and exported, run through a pipeline', () => {
  let w: RunningWorker;
  let dataset: string;
  before(async () => {
    dataset = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-imported-'));
    await makeShelves({ ...tinyShelvesOptions(dataset, 1500, 16), labelShare: 0.7 });
    w = await startTestWorker('imported-backbone', undefined, { gpuQueue: true });
  });
  after(async () => {
    await w.stop();
  });

  it('a folder export and an alias give the exported weights; a missing alias fails naming value and fix', async () => {
    const bucket = bucketOf(w.settings);
    const source = await startPipelineRun(w.client, w.settings, expandPaperPipeline(sourceConfig(dataset)));
    const sourceResult = await source.result();
    const trained = sourceResult.refs['backbone@sup']!;
    assert.equal(trained.stage, 'supervise');

    // Publish: the supervised backbone by alias, the random-init one as an exported TF.js folder.
    const { alias: _a, ...sup } = await resolveModel(
      w.client,
      bucket,
      `${source.workflowId}/sup/supervised/100/1`,
    );
    await setAlias(bucket, ALIAS, { model: sup, setAt: new Date().toISOString(), note: 'test' });
    const bundle = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-imported-bundle-'));
    await writeBundle(
      bucket,
      await resolveModel(w.client, bucket, `${source.workflowId}/rand/supervised/100/1`),
      bundle,
    );

    const target = await startPipelineRun(
      w.client,
      w.settings,
      expandPaperPipeline(targetConfig(dataset, path.join(bundle, 'backbone', 'model.json'))),
    );
    const err = await target.result().then(
      () => assert.fail('the run must fail: one alias does not exist'),
      (e: unknown) => e,
    );
    const result = partialResultOf(err, 'PipelineFailed', PipelineRunResultSchema);
    assert.ok(result);
    const failed = result.nodes.find((n) => n.id === 'backbone@no-such-alias');
    assert.equal(failed?.status, 'failed');
    assert.match(failed?.error ?? '', /backbones\[\]\.model "alias:nowhere-1500": no alias "nowhere-1500"/);
    assert.match(failed?.error ?? '', /shelfssl promote .* --alias nowhere-1500/);

    // The exported random-init backbone computes exactly the features of the same random init built here.
    const features = (id: string) => result.refs[`features@${id}`]!;
    assert.equal(features('from-folder').digest, features('rand').digest);
    const accuracy = async (id: string) =>
      (await readManifest(bucket, 'evaluate', result.refs[`eval@${id}/supervised/100pct/seed1`]!.key))!
        .metrics.accuracy;
    assert.equal(await accuracy('from-folder'), await accuracy('rand'));

    // By alias: the supervised weights themselves, and the manifest names the artefact they came from.
    const aliased = (await readManifest(bucket, 'backbone', result.refs['backbone@from-alias']!.key))!;
    const original = (await readManifest(bucket, trained.stage, trained.key))!;
    assert.equal(
      sha256(await readArtefactFile(bucket, aliased, 'weights.bin')),
      sha256(await readArtefactFile(bucket, original, 'weights.bin')),
    );
    assert.deepEqual(aliased.inputs['alias/backbone'], trained);
    assert.notEqual(features('from-alias').digest, features('rand').digest);
  });
});
