import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { parseReportInput } from '../../report/model.js';
import { bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { PipelineRunResultSchema, partialResultOf } from '../../workflows/run-result.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

/**
 * Tiny shelves, a random-init backbone that works and an imported one whose model.json lists no weights.
 * Seeds differ from paper-e2e's, which shares the store and expects its first run to compute everything.
 */
function configWithBrokenBackbone(location: string, brokenModel: string) {
  const arch = { kind: 'small-resnet', inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1], seed: 4 };
  return RunConfigSchema.parse({
    name: 'failed-backbone',
    dataset: { location },
    crop: { cropSize: 16, seed: 7 },
    backbones: [
      { name: 'random-init', kind: 'random', arch },
      { name: 'broken', kind: 'imported', model: brokenModel, inputSize: 16 },
    ],
    sweep: { fractions: [50, 100], seeds: 1 },
    report: { title: 'one backbone failed' },
  });
}

describe('the paper pipeline with one backbone failing deterministically', () => {
  let w: RunningWorker;
  let dataset: string;
  let brokenModel: string;
  before(async () => {
    dataset = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-failed-backbone-'));
    await makeShelves({ ...tinyShelvesOptions(dataset, 13, 16), labelShare: 0.6 });
    brokenModel = path.join(mkdtempSync(path.join(os.tmpdir(), 'shelfssl-broken-model-')), 'model.json');
    writeFileSync(brokenModel, JSON.stringify({ modelTopology: {}, weightsManifest: [] }));
    w = await startTestWorker('failed-backbone', undefined, { gpuQueue: true });
  });
  after(async () => {
    await w.stop();
  });

  it("the other backbone's rows and the report exist; the report names what failed and how to re-run it", async () => {
    const plan = expandPaperPipeline(configWithBrokenBackbone(dataset, brokenModel));
    const handle = await startPipelineRun(w.client, w.settings, plan);
    const err = await handle.result().then(
      () => assert.fail('the run must fail: one backbone failed'),
      (e: unknown) => e,
    );
    const result = partialResultOf(err, 'PipelineFailed', PipelineRunResultSchema);
    assert.ok(result, 'the failed run carries its result');
    const message = String((err as Error).cause);
    assert.equal(message.split('lists no weights files').length - 1, 1, `the error appears once: ${message}`);

    const status = Object.fromEntries(result.nodes.map((n) => [n.id, n]));
    assert.equal(status['backbone@broken']?.status, 'failed');
    const skipped = result.nodes.filter((n) => n.status === 'skipped');
    assert.deepEqual(
      skipped.map((n) => n.id).sort(),
      [
        'features@broken',
        ...['50pct', '100pct'].flatMap((f) =>
          ['supervised', 'semi-supervised'].flatMap((m) => [
            `eval@broken/${m}/${f}/seed1`,
            `head@broken/${m}/${f}/seed1`,
          ]),
        ),
      ].sort(),
    );
    assert.ok(skipped.every((n) => n.upstream?.join() === 'backbone@broken' && n.error === undefined));
    const succeeded = result.nodes.filter((n) => n.id.includes('random-init'));
    assert.ok(succeeded.length > 0 && succeeded.every((n) => n.status === 'done'));
    assert.equal(status.report?.status, 'done');

    const bucket = bucketOf(w.settings);
    const manifest = (await readManifest(bucket, 'report', result.refs.report!.key))!;
    const input = parseReportInput(
      JSON.parse((await readArtefactFile(bucket, manifest, 'report-input.json')).toString()),
    );
    assert.deepEqual(input.results.map((r) => `${r.backbone} ${r.headMode} ${r.fractionPct}`).sort(), [
      'random-init semi-supervised 100',
      'random-init semi-supervised 50',
      'random-init supervised 100',
      'random-init supervised 50',
    ]);
    assert.equal(input.failures?.failed.length, 1);
    const failed = input.failures!.failed[0]!;
    assert.equal(failed.node, 'backbone@broken');
    assert.equal(failed.stage, 'backbone');
    assert.match(failed.error, /lists no weights files/);
    assert.equal(failed.rerun, `shelfssl rerun ${handle.workflowId} --stage backbone`);
    assert.equal(input.failures?.missing.length, 4);
    assert.ok(input.failures!.missing.every((m) => m.upstream.join() === 'backbone@broken'));

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(
      (await readArtefactFile(bucket, manifest, 'report.xlsx')) as unknown as ExcelJS.Buffer,
    );
    assert.deepEqual(workbook.worksheets.map((s) => s.name).slice(0, 2), ['Summary', 'Failed']);
  });
});
