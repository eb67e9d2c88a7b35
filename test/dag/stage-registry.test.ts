import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { openArtefact, readInputJson } from '../../activities/artefact-input.js';
import { contractWriter, OutputContractError } from '../../activities/output-contract.js';
import { PREDICT_STAGE_IMPLS } from '../../activities/predict/index.js';
import { implementationsIn, lazyStagesIn, registeredStages } from '../../activities/stage-registry.js';
import { PIPELINE_STAGES } from '../../activities/stages/index.js';
import { lineageRows } from '../../activities/stages/support/lineage.js';
import { PREDICT_STAGES } from '../../pipelines/predict.js';
import { producerOutputs } from '../../pipelines/stage.js';
import {
  evaluateStage,
  featuresStage,
  headStage,
  PAPER_STAGES,
  pretrainStage,
  reportStage,
  sampleStage,
} from '../../pipelines/stages.js';
import type { Manifest } from '../../store/artefact-schema.js';
import { ArtefactWriter, bucketOf, readArtefactFile } from '../../store/artefacts.js';
import { ensureBucket } from '../../store/s3.js';
import { testSettings } from '../support/env.js';

describe('one stage registry: PAPER_STAGES declares, the worker implements, nothing else lists stages', () => {
  it('registers exactly one implementation per declared stage, in declaration order', () => {
    assert.deepEqual(
      PIPELINE_STAGES.map((s) => s.def),
      [...PAPER_STAGES],
    );
  });

  it('pairs every implementation exported in activities/stages/ and activities/predict/ with its declaration', async () => {
    const paper = await implementationsIn(
      PAPER_STAGES,
      new URL('../../activities/stages/', import.meta.url),
      ['index.js'],
    );
    assert.deepEqual(
      paper.map((s) => s.def),
      [...PAPER_STAGES],
    );
    const predict = await implementationsIn(
      PREDICT_STAGES,
      new URL('../../activities/predict/', import.meta.url),
      ['index.js'],
    );
    assert.deepEqual(
      predict.map((s) => s.def),
      PREDICT_STAGE_IMPLS.map((s) => s.def),
    );
  });

  it('loads a stage module on its first task, and refuses a declared stage with no file at start', async () => {
    const folder = new URL('../../activities/stages/', import.meta.url);
    assert.throws(
      () => lazyStagesIn([...PAPER_STAGES, { ...sampleStage, name: 'nowhere' }], folder),
      /stage nowhere is declared but has no implementation/,
    );
    const [lazySample] = lazyStagesIn([{ ...sampleStage }], folder);
    await assert.rejects(
      lazySample!.run({} as never, {} as never),
      /sample\.js exports no implementation of it/,
      'a module exporting the stage under another declaration is refused on load',
    );
  });

  it('finds the implementations in activities/stages/ and refuses to start without one', async () => {
    const folder = new URL('../../activities/stages/', import.meta.url);
    await assert.rejects(
      implementationsIn(PAPER_STAGES, folder, ['index.js', 'sample.js']),
      /stage sample is declared but has no implementation/,
    );
  });

  it('refuses a declared stage without an implementation, and an implementation without a declaration', () => {
    const withoutSample = PIPELINE_STAGES.filter((s) => s.def !== sampleStage);
    assert.throws(
      () => registeredStages(PAPER_STAGES, withoutSample),
      /stage sample is declared but has no implementation/,
    );
    const stray = { def: { ...sampleStage, name: 'stray' }, run: PIPELINE_STAGES[0]!.run };
    assert.throws(
      () => registeredStages(PAPER_STAGES, [...PIPELINE_STAGES, stray]),
      /stage stray is implemented but not declared/,
    );
  });

  it('sorts Lineage rows by declaration order, whatever order the manifests come in', () => {
    const manifest = (stage: string) =>
      ({
        stage,
        cacheKey: `${stage}-key`,
        digest: 'd',
        codeVersion: 1,
        params: {},
        timings: { durationMs: 1 },
      }) as unknown as Manifest;
    const stages = PAPER_STAGES.map((s) => s.name).filter((s) => s !== 'report');
    const rows = lineageRows([...stages].reverse().map(manifest), new Set());
    assert.deepEqual(
      rows.map((r) => r.stage),
      stages,
    );
  });

  it("reads an input by its producer's declaration and refuses a producer the declaration does not list", () => {
    assert.equal(producerOutputs(headStage, 'sample', 'sample'), sampleStage.outputs);
    assert.equal(producerOutputs(evaluateStage, 'features', 'features'), featuresStage.outputs);
    assert.equal(
      producerOutputs(reportStage, 'eval/swav/supervised/10pct/seed1', 'evaluate'),
      evaluateStage.outputs,
    );
    assert.equal(producerOutputs(featuresStage, 'backbone', 'pretrain'), pretrainStage.outputs);
    assert.throws(
      () => producerOutputs(headStage, 'sample', 'crop'),
      /input "sample" of stage head was made by stage crop, but its declaration reads it from sample/,
    );
  });
});

describe('typed artefact contracts: writes checked against the declaration, reads parsed by it', () => {
  it('writes a declared JSON file byte for byte as before, and refuses undeclared, mis-kinded or invalid ones', async () => {
    const settings = testSettings('contracts');
    const bucket = bucketOf(settings);
    await ensureBucket(bucket.s3, settings.s3);
    const raw = new ArtefactWriter(bucket, sampleStage.name, randomBytes(32).toString('hex'));
    const writer = contractWriter(raw, sampleStage);
    const value = { seed: 3, candidates: 2, samples: { '50': ['train/a.jpg#0'] } };
    const file = await writer.putJson('sample.json', value);
    await assert.rejects(writer.putJson('other.json', {}), (err: unknown) => {
      assert.ok(err instanceof OutputContractError);
      assert.match(err.message, /stage sample wrote other\.json, which its declaration does not list/);
      return true;
    });
    await assert.rejects(
      writer.putBuffer('sample.json', new Uint8Array([1])),
      /declared JSON; write it with putJson/,
    );
    await assert.rejects(writer.putJson('sample.json', { seed: 3, samples: {} }), /candidates/);
    assert.deepEqual(raw.fileNames(), ['sample.json'], 'nothing refused reached the store');
    const { ref } = await raw.publish({
      codeVersion: 1,
      params: {},
      inputs: {},
      metrics: {},
      startedAt: new Date(),
    });
    const input = await openArtefact(bucket, ref, sampleStage.outputs);
    const manifest = input.manifest;
    assert.equal(manifest.files[0]?.sha256, file.sha256);
    assert.equal(
      (await readArtefactFile(bucket, manifest, 'sample.json')).toString('utf8'),
      `${JSON.stringify(value)}\n`,
    );
    assert.deepEqual(await readInputJson(input, 'sample.json'), value);
  });
});
