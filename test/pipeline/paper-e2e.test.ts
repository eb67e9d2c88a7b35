import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { createS3Client } from '../../store/s3.js';
import type { PipelineRunResult } from '../../workflows/pipeline-run.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

/** Small but real: tiny shelves, a 16-px small ResNet, two SwAV epochs, two fractions, two seeds. */
function tinyConfig(location: string) {
  const arch = { kind: 'small-resnet', inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1], seed: 3 };
  return RunConfigSchema.parse({
    name: 'e2e',
    dataset: { location },
    crop: { cropSize: 16, seed: 5 },
    backbones: [
      { name: 'random-init', kind: 'random', arch },
      {
        name: 'swav',
        kind: 'swav',
        swav: {
          arch,
          epochs: 2,
          batchSize: 16,
          prototypes: 8,
          projHidden: 32,
          projOut: 16,
          globalCrop: 16,
          localCrop: 8,
          checkpointEverySteps: 3,
          freezePrototypesSteps: 2,
        },
      },
    ],
    sweep: { fractions: [50, 100], seeds: 2 },
    report: { title: 'e2e tiny shelves' },
  });
}

/** A run's report artefact: its manifest and the workbook, read back sha256-checked. */
async function reportOf(w: RunningWorker, result: PipelineRunResult) {
  const bucket = bucketOf(w.settings);
  const manifest = (await readManifest(bucket, 'report', result.refs.report!.key))!;
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(
    (await readArtefactFile(bucket, manifest, 'report.xlsx')) as unknown as ExcelJS.Buffer,
  );
  return { bucket, manifest, workbook };
}

describe('the paper pipeline end to end on generated shelves', () => {
  let w: RunningWorker;
  let dataset: string;
  let first: PipelineRunResult;
  before(async () => {
    dataset = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-e2e-'));
    await makeShelves({ ...tinyShelvesOptions(dataset, 11, 24), labelShare: 0.6 });
    w = await startTestWorker('e2e', undefined, { gpuQueue: true });
  });
  after(async () => {
    await w.stop();
  });

  it('runs every stage and publishes a report with Table 2 rows for each configuration', async () => {
    const plan = expandPaperPipeline(tinyConfig(dataset));
    first = await (await startPipelineRun(w.client, w.settings, plan)).result();
    const failed = first.nodes.filter((n) => n.status !== 'done');
    assert.deepEqual(failed, []);
    const { bucket, manifest, workbook } = await reportOf(w, first);
    assert.deepEqual(
      workbook.worksheets.map((s) => s.name),
      [
        'Summary',
        'Per class',
        'Confusion',
        'Shelf share',
        'Data quality',
        'Lineage',
        'Chart',
        'SwAV training',
      ],
    );
    const input = JSON.parse((await readArtefactFile(bucket, manifest, 'report-input.json')).toString());
    assert.equal(input.results.length, 2 * 2 * 2, 'backbones × modes × fractions');
    assert.ok(input.lineage.length >= 10);
    assert.deepEqual(
      input.pretraining.map((p: { backbone: string; epochs: unknown[] }) => [p.backbone, p.epochs.length]),
      [['swav', 2]],
      'the per-epoch history of the SwAV backbone reaches the report',
    );
  });

  it('stores features as .npy shards that numpy loads with the right shape', async () => {
    const s3 = createS3Client(w.settings.s3);
    const bucket = bucketOf(w.settings, s3);
    const ref = first.refs['features@swav']!;
    const manifest = (await readManifest(bucket, 'features', ref.key))!;
    const index = JSON.parse((await readArtefactFile(bucket, manifest, 'index.json')).toString());
    const shard = index.pools.labelled.shards[0];
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'npy-')), 'f.npy');
    writeFileSync(file, await readArtefactFile(bucket, manifest, shard.file));
    const shape = execFileSync('/usr/bin/python3', [
      '-c',
      `import numpy; a=numpy.load('${file}'); print(a.dtype, a.shape)`,
    ])
      .toString()
      .trim();
    assert.equal(shape, `float32 (${shard.rows}, ${index.dim})`);
  });

  it('a second run takes every stage but the per-run snapshot and report from the cache', async () => {
    const plan = expandPaperPipeline(tinyConfig(dataset));
    const second = await (await startPipelineRun(w.client, w.settings, plan)).result();
    const recomputed = second.nodes
      .filter((n) => n.status !== 'cached')
      .map((n) => n.id)
      .sort();
    assert.deepEqual(recomputed, ['report', 'snapshot']);

    // The workflow tells the report its cache hits: every artefact behind the numbers reads "yes" but the
    // per-run snapshot (recomputed, same key), where a swallowed query once made the whole column "no".
    const rows: { stage: unknown; cacheHit: unknown }[] = [];
    (await reportOf(w, second)).workbook.getWorksheet('Lineage')?.eachRow((row, n) => {
      if (n > 1) rows.push({ stage: row.getCell(1).value, cacheHit: row.getCell(7).value });
    });
    assert.ok(rows.length >= 10, `lineage rows: ${rows.length}`);
    for (const { stage, cacheHit } of rows)
      assert.equal(cacheHit, stage === 'snapshot' ? 'no' : 'yes', `Lineage row of ${String(stage)}`);
  });
});
