import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { saveSuggestions } from '../../cli/commands/suggest/save-suggestions.js';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { withSuggestNode } from '../../pipelines/suggest-plan.js';
import { bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { createS3Client } from '../../store/s3.js';
import type { PipelineRunResult } from '../../workflows/pipeline-run.js';
import { runCli } from '../support/cli.js';
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
  let suggestedDir = '';
  let suggestRun: PipelineRunResult | undefined;
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
    // Content-addressed: another test's identical generated shelves may already hold the label-free stages.
    const failed = first.nodes.filter((n) => n.status !== 'done' && n.status !== 'cached');
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
        'Table 2',
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

  it('each semi-supervised head reuses the supervised head of its sweep point as its teacher', async () => {
    const bucket = bucketOf(w.settings, createS3Client(w.settings.s3));
    const semi = Object.keys(first.refs).filter(
      (id) => id.startsWith('head@') && id.includes('/semi-supervised/'),
    );
    assert.equal(semi.length, 2 * 2 * 2, 'backbones × fractions × seeds');
    for (const id of semi) {
      const manifest = (await readManifest(bucket, 'head', first.refs[id]!.key))!;
      const teacherId = id.replace('/semi-supervised/', '/supervised/');
      assert.deepEqual(manifest.inputs['teacher'], first.refs[teacherId], `${id}: teacher`);
      const teacher = (await readManifest(bucket, 'head', first.refs[teacherId]!.key))!;
      const cv = async (m: typeof manifest) =>
        JSON.parse((await readArtefactFile(bucket, m, 'training.json')).toString()).cv;
      assert.deepEqual(await cv(manifest), await cv(teacher), `${id}: λ chosen once, by the teacher's CV`);
    }
  });

  it('stores features as .npy shards that numpy loads with the right shape', async () => {
    const s3 = createS3Client(w.settings.s3);
    const bucket = bucketOf(w.settings, s3);
    const ref = first.refs['features@swav']!;
    const manifest = (await readManifest(bucket, 'features', ref.key))!;
    const index = JSON.parse((await readArtefactFile(bucket, manifest, 'index.json')).toString());
    const shard = index.shards[0];
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
    // Rows without a node of this run are ancestors an earlier run made (e.g. the ingest and snapshot behind a
    // label-free `boxes` artefact that another test's identical shelves produced): no node took them, so "no".
    const rows: { stage: unknown; cacheHit: unknown; nodes: unknown }[] = [];
    (await reportOf(w, second)).workbook.getWorksheet('Lineage')?.eachRow((row, n) => {
      if (n > 1)
        rows.push({
          stage: row.getCell(1).value,
          cacheHit: row.getCell(7).value,
          nodes: row.getCell(8).value,
        });
    });
    const ofThisRun = rows.filter((r) => typeof r.nodes === 'string' && r.nodes !== '');
    assert.ok(ofThisRun.length >= 10, `lineage rows with nodes of this run: ${ofThisRun.length}`);
    for (const { stage, cacheHit, nodes } of ofThisRun)
      assert.equal(cacheHit, nodes === 'snapshot' ? 'no' : 'yes', `Lineage row of ${String(stage)}`);
    assert.equal(
      ofThisRun.filter((r) => r.nodes === 'snapshot').length,
      1,
      "this run's snapshot has its row",
    );
  });

  it('changing label rows keeps SwAV and the features cached: only labels and what reads them re-run', async () => {
    const file = path.join(dataset, 'labels.csv');
    const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
    // Drop a tenth of the label rows: a different label set, the same shelves and boxes.
    writeFileSync(file, `${[header, ...rows.filter((_, i) => i % 10 !== 3)].join('\n')}\n`);
    const plan = expandPaperPipeline(tinyConfig(dataset));
    const third = await (await startPipelineRun(w.client, w.settings, plan)).result();
    const status = new Map(third.nodes.map((n) => [n.id, n.status]));
    for (const id of ['backbone@swav', 'features@swav', 'features@random-init', 'backbone@random-init'])
      assert.equal(status.get(id), 'cached', `${id} after a label change`);
    // boxes re-runs (its ingest input changed) but writes the same label-free digest, so crop stays cached.
    assert.equal(status.get('crop'), 'cached', 'crop after a label change');
    assert.equal(third.refs.boxes?.digest, first.refs.boxes?.digest, 'boxes artefact unchanged');
    const recomputed = new Set(
      third.nodes.filter((n) => n.status !== 'cached').map((n) => n.id.split('@')[0]),
    );
    assert.deepEqual([...recomputed].sort(), [
      'boxes',
      'eval',
      'head',
      'ingest',
      'report',
      'sample',
      'snapshot',
    ]);
  });

  it('suggest: one more node on the same plan ranks unlabelled crops, writes to-label.csv, a contact sheet and a sheet', async () => {
    const plan = withSuggestNode(expandPaperPipeline(tinyConfig(dataset)), { n: 12, strategy: 'margin' });
    const run = await (await startPipelineRun(w.client, w.settings, plan)).result();
    suggestRun = run;
    const computed = run.nodes.filter((n) => n.status !== 'cached').map((n) => n.id);
    assert.deepEqual(computed.sort(), ['report', 'snapshot', 'suggest']);
    const out = mkdtempSync(path.join(os.tmpdir(), 'suggest-'));
    suggestedDir = out;
    const files = await saveSuggestions(w.settings, run, out);
    assert.deepEqual(
      files.map((f) => path.basename(f)),
      ['to-label.csv', 'contact-sheet.png', 'suggestions.json'],
    );
    const [header, ...rows] = readFileSync(path.join(out, 'to-label.csv'), 'utf8').trim().split('\n');
    assert.equal(
      header,
      'image_name,x1,y1,x2,y2,class,image_width,image_height,suggested_class,confidence,box_id',
    );
    assert.equal(rows.length, 12);
    const { bucket } = await reportOf(w, run);
    const ingest = (await readManifest(bucket, 'ingest', run.refs.ingest!.key))!;
    const labelled = new Set(
      (
        JSON.parse((await readArtefactFile(bucket, ingest, 'boxes.json')).toString()).labels as {
          boxId: string;
        }[]
      ).map((l) => l.boxId),
    );
    const crop = (await readManifest(bucket, 'crop', run.refs.crop!.key))!;
    const heldOut = new Set(
      (
        (await readArtefactFile(bucket, crop, 'all/index.ndjson'))
          .toString()
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line)) as {
          boxId: string;
          split: string;
        }[]
      )
        .filter((e) => e.split === 'test')
        .map((e) => e.boxId),
    );
    for (const row of rows) {
      const cells = row.split(',');
      assert.equal(cells.length, 11, row);
      assert.equal(cells[5], '', 'class left blank for the annotator');
      assert.ok(['tshirt', 'pullover', 'dress', 'coat', 'shirt'].includes(cells[8]!), row);
      const boxId = cells[10]!;
      assert.ok(
        !labelled.has(boxId) && !heldOut.has(boxId),
        `${boxId}: unlabelled and outside the test region`,
      );
    }
    assert.equal(new Set(rows.map((r) => r.split(',')[10])).size, 12, 'no crop twice');
    const sheet = await sharp(path.join(out, 'contact-sheet.png')).metadata();
    assert.equal(sheet.format, 'png');
    assert.ok(sheet.width! > 10 * 48 && sheet.height! > 2 * 48, `${sheet.width}×${sheet.height}`);
    const toLabel = (await reportOf(w, run)).workbook.getWorksheet('To label');
    assert.ok(toLabel, 'the report has a To label sheet');
    assert.equal(toLabel.rowCount, 2 + 12);
  });

  it('the way back: annotators fill to-label.csv, labels merge appends it, the next run trains on it', async () => {
    // The generator's truth: the same shelves with every class box labelled.
    const truthDir = mkdtempSync(path.join(os.tmpdir(), 'e2e-truth-'));
    await makeShelves({ ...tinyShelvesOptions(truthDir, 11, 24), labelShare: 1 });
    const truth = new Map(
      readFileSync(path.join(truthDir, 'labels.csv'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const f = l.split(',');
          return [f.slice(0, 5).join(','), f[5]!];
        }),
    );
    const [header, ...rows] = readFileSync(path.join(suggestedDir, 'to-label.csv'), 'utf8')
      .trim()
      .split('\n');
    // An annotator labels what is a product of the five classes and leaves distractors blank.
    const filledRows = rows.map((r) => {
      const f = r.split(',');
      f[5] = truth.get(f.slice(0, 5).join(',')) ?? '';
      return f.join(',');
    });
    const answered = filledRows.filter((r) => r.split(',')[5] !== '').length;
    assert.ok(answered > 0, 'some suggestions are products of the five classes');
    const filledFile = path.join(suggestedDir, 'filled.csv');
    writeFileSync(filledFile, `${[header, ...filledRows].join('\n')}\n`);
    const merged = await runCli(['labels', 'merge', '--from', filledFile, '--dataset', dataset]);
    assert.equal(merged.code, 0, merged.stderr);
    assert.match(merged.stdout, new RegExp(`appended ${answered} label rows`));

    const plan = expandPaperPipeline(tinyConfig(dataset));
    const next = await (await startPipelineRun(w.client, w.settings, plan)).result();
    const status = new Map(next.nodes.map((n) => [n.id, n.status]));
    assert.equal(status.get('backbone@swav'), 'cached', 'SwAV is not re-trained for new labels');
    assert.equal(status.get('features@swav'), 'cached');
    assert.equal(status.get('sample@seed1'), 'done');
    const bucket = bucketOf(w.settings, createS3Client(w.settings.s3));
    const candidates = async (result: PipelineRunResult) => {
      const m = (await readManifest(bucket, 'sample', result.refs['sample@seed1']!.key))!;
      return JSON.parse((await readArtefactFile(bucket, m, 'sample.json')).toString()).candidates as number;
    };
    assert.equal(
      (await candidates(next)) - (await candidates(suggestRun!)),
      answered,
      'every merged label is a new training candidate (none lands in the held-out region)',
    );
  });
});
