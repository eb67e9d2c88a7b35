import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import sharp from 'sharp';
import { resolveModel } from '../../cli/model/resolve-model.js';
import { settingsToEnv } from '../../config/settings-env.js';
import { decodeRgb, extractCrops, paddedRegion } from '../../data/crop/extract-crops.js';
import { DEFAULT_MAX_IMAGE_PIXELS } from '../../data/sku110k/image-limits.js';
import { setAlias } from '../../store/aliases.js';
import { bucketOf } from '../../store/artefacts.js';
import { runCli } from '../support/cli.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';
import { newShelfPhotos } from './new-photos.js';
import { tinyTrainingRun } from './tiny-run.js';

describe('predict on new shelf photos (real Temporal, MinIO and workers)', () => {
  let w: RunningWorker;
  let env: NodeJS.ProcessEnv;
  let photos: Awaited<ReturnType<typeof newShelfPhotos>>;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-predict-'));
  before(async () => {
    w = await startTestWorker('predict', undefined, { gpuQueue: true });
    const { runId } = await tinyTrainingRun(w, path.join(dir, 'training'), [100]);
    const bucket = bucketOf(w.settings);
    const { alias: _a, ...model } = await resolveModel(w.client, bucket, runId);
    await setAlias(bucket, 'production', { model, setAt: new Date().toISOString(), note: 'test' });
    photos = await newShelfPhotos(path.join(dir, 'week'));
    // The CLI starts its workflow on this test's task queues, served by the in-process workers.
    env = { ...process.env, ...settingsToEnv(w.settings) };
  });
  after(async () => {
    await w.stop();
  });

  it('classifies every good box, counts bad rows and unreadable photos, writes CSVs and a workbook', async () => {
    const out = path.join(dir, 'out1');
    const args = (to: string) => [
      'predict',
      '--model',
      'production',
      '--images',
      photos.photos,
      '--out',
      to,
      '--shard-images',
      '3',
    ];
    const r = await runCli([...args(out), '--no-worker', '--max-bad-share', '0.5'], env);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      new RegExp(`classified ${photos.goodBoxes} boxes on ${photos.images} images in 2 stores`),
    );
    assert.match(r.stdout, /malformed_row: 1 e\.g\. boxes\.csv:\d+/);
    assert.match(r.stdout, /missing_image: 1/);
    assert.match(r.stdout, /unreadable_image: 2/);
    const csv = readFileSync(path.join(out, 'predictions.csv'), 'utf8').trim().split('\n');
    assert.equal(csv[0], 'image,store,box_id,x1,y1,x2,y2,class,predicted,confidence');
    assert.equal(csv.length - 1, photos.goodBoxes);
    for (const line of csv.slice(1)) {
      const f = line.split(',');
      const confidence = Number(f[9]);
      assert.ok(confidence > 0 && confidence <= 1, line);
      assert.equal(f[7], confidence < 0.5 ? 'unknown' : f[8], line);
    }
    const stores = readFileSync(path.join(out, 'shelf-share-stores.csv'), 'utf8').trim().split('\n');
    assert.deepEqual(
      stores.slice(1).map((l) => l.split(',')[0]),
      ['berlin-mitte', 'hamburg-nord', 'Total'],
    );
    assert.equal(Number(stores.at(-1)!.split(',')[1]), photos.goodBoxes);
    const images = readFileSync(path.join(out, 'shelf-share-images.csv'), 'utf8').trim().split('\n');
    assert.equal(images.length - 2, photos.images, 'one line per photo with boxes, plus header and total');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.readFile(path.join(out, 'predictions.xlsx'));
    assert.deepEqual(
      workbook.worksheets.map((s) => s.name),
      ['Summary', 'Stores', 'Shelf share', 'Chart', 'Boxes'],
    );
    assert.equal(workbook.getWorksheet('Chart')!.getImages().length, 1);
    const summary = JSON.parse(readFileSync(path.join(out, 'summary.json'), 'utf8'));
    assert.equal(summary.counts.boxes, photos.goodBoxes);
    assert.equal(summary.bad.unreadable_image.count, 2);

    const id = /started (predict-\S+)/.exec(r.stdout)?.[1];
    const status = await runCli(['status', '--json'], env);
    assert.ok(
      JSON.parse(status.stdout).some((run: { workflowId: string }) => run.workflowId === id),
      'listed',
    );
    const one = await runCli(['status', id!], env);
    assert.match(one.stdout, /shard@001\s+predict-shard\s+done/);

    // Same photos, same model: every shard is a cache hit; a new threshold only re-merges.
    const again = await runCli(
      [...args(path.join(dir, 'out2')), '--unknown-below', '0.99', '--no-worker', '--max-bad-share', '0.5'],
      env,
    );
    assert.equal(again.code, 0, again.stderr + again.stdout);
    assert.match(again.stdout, /shard@000\s+predict-shard\s+cached\s+hit/);
    assert.match(again.stdout, /shard@001\s+predict-shard\s+cached\s+hit/);
    assert.match(again.stdout, /merge\s+predict-merge\s+done\s+miss/);
  });

  it('`export` writes a bundle whose plain-TF.js example classifies crops exactly as predict did', async () => {
    const bundle = path.join(dir, 'bundle');
    const r = await runCli(['export', 'production', '--out', bundle], env);
    assert.equal(r.code, 0, r.stderr);
    const meta = JSON.parse(readFileSync(path.join(bundle, 'bundle.json'), 'utf8'));
    assert.equal(meta.alias, 'production');
    assert.ok(meta.metrics.accuracy > 0 && meta.metrics.perClass.length === 5);
    for (const f of ['backbone/model.json', 'backbone/weights.bin', 'head/model.json', 'classes.json'])
      assert.match(meta.files[f], /^[0-9a-f]{64}$/, f);
    const prep = JSON.parse(readFileSync(path.join(bundle, 'preprocessing.json'), 'utf8'));
    // The crops predict classified, cut from the photos as files a third party would hand the example.
    const rows = readFileSync(path.join(dir, 'out1', 'predictions.csv'), 'utf8')
      .trim()
      .split('\n')
      .slice(1, 41);
    const crops = path.join(dir, 'crops');
    mkdirSync(crops, { recursive: true });
    const files: string[] = [];
    for (const [i, row] of rows.entries()) {
      const [image, , , x1, y1, x2, y2] = row.split(',');
      const decoded = await decodeRgb(path.join(photos.photos, image!), DEFAULT_MAX_IMAGE_PIXELS);
      const box = { x1: Number(x1), y1: Number(y1), x2: Number(x2), y2: Number(y2) };
      const region = paddedRegion(box, prep.padding, decoded.width, decoded.height);
      const pixels = await extractCrops(decoded, [region], prep.cropSize, 'js');
      const file = path.join(crops, `crop-${i}.png`);
      const raw = { width: prep.cropSize, height: prep.cropSize, channels: 3 as const };
      writeFileSync(file, await sharp(Buffer.from(pixels), { raw }).png().toBuffer());
      files.push(file);
    }
    symlinkSync(
      path.resolve(new URL('../../../node_modules', import.meta.url).pathname),
      path.join(bundle, 'node_modules'),
    );
    const example = path.join(bundle, 'examples', 'classify-crops.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, [example, bundle, ...files]);
    const lines = stdout.trim().split('\n');
    assert.equal(lines[0], 'file,class,confidence');
    assert.equal(lines.length - 1, rows.length);
    lines.slice(1).forEach((line, i) => {
      const [, cls, confidence] = line.split(',');
      const f = rows[i]!.split(',');
      assert.equal(cls, f[8], `crop ${i}: example ${line} vs predict ${rows[i]}`);
      assert.ok(Math.abs(Number(confidence) - Number(f[9])) < 1e-3, `crop ${i}: ${line} vs ${rows[i]}`);
    });
  });

  it('reads photos from an S3 prefix as from a folder', async () => {
    const bucket = bucketOf(w.settings);
    for (const name of readdirSync(photos.photos))
      await bucket.s3.fPutObject(bucket.bucket, `datasets/weeks/w48/${name}`, path.join(photos.photos, name));
    const out = path.join(dir, 'out-s3');
    const r = await runCli(
      [
        'predict',
        '--model',
        'production',
        '--images',
        `s3://${bucket.bucket}/datasets/weeks/w48`,
        '--out',
        out,
        '--no-worker',
        '--max-bad-share',
        '0.5',
      ],
      env,
    );
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(
      r.stdout,
      new RegExp(`classified ${photos.goodBoxes} boxes on ${photos.images} images in 2 stores`),
    );
    const local = readFileSync(path.join(dir, 'out1', 'predictions.csv'), 'utf8').split('\n');
    const remote = readFileSync(path.join(out, 'predictions.csv'), 'utf8').split('\n');
    assert.deepEqual(remote, local, 'same photos, same predictions');
  });

  it('fails, writing nothing, when more rows are bad than --max-bad-share allows', async () => {
    const out = path.join(dir, 'out3');
    const r = await runCli(
      [
        'predict',
        '--model',
        'production',
        '--images',
        photos.photos,
        '--out',
        out,
        '--no-worker',
        '--max-bad-share',
        '0',
      ],
      env,
    );
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, /annotation rows .* are bad, above maxBadShare 0/);
    assert.match(r.stderr, /unreadable_image: 2/);
    assert.throws(() => readFileSync(path.join(out, 'predictions.csv')), /ENOENT/);
  });

  it('refuses a model it cannot resolve and bad flags with exit 2, naming them', async () => {
    const r = await runCli(
      ['predict', '--model', 'nope', '--images', photos.photos, '--out', dir, '--no-worker'],
      env,
    );
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no alias and no run named nope/);
    const bad = await runCli([
      'predict',
      '--model',
      'production',
      '--images',
      photos.photos,
      '--out',
      dir,
      '--unknown-below',
      '2',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--unknown-below: a number from 0 to 1/);
  });
});
