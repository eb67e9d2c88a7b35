import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LoadedInput } from '../../activities/stage-types.js';
import { downloadInputFiles } from '../../activities/stages/support/artefact-files.js';
import { connectClient } from '../../cli/client.js';
import { loadSettings } from '../../config/settings.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { ingestSku110k } from '../../data/sku110k/index.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import type { Manifest } from '../../store/artefact-schema.js';
import {
  ArtefactCorruptError,
  type Bucket,
  bucketOf,
  manifestKey,
  readManifest,
} from '../../store/artefacts.js';
import { sign } from '../../store/signing.js';
import { createShelfWorker } from '../../workers/worker.js';
import { withTimeout } from '../faults/fault-mode.js';
import { tinyPaperConfig } from '../faults/tiny-plan.js';
import { harnessRoot, testSettings } from '../support/env.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';
import { editPlan, runMustFail } from './support.js';

const SECRET = 'SECRET-DO-NOT-LEAK';
const INGEST = ['snapshot', 'ingest'];

function tinyConfig(location: string) {
  return tinyPaperConfig(location, { epochs: 1, checkpointEverySteps: 5 }, 'security');
}

describe('confinement: workflow inputs, CSVs and models name no file outside their folder', () => {
  let w: RunningWorker;
  let dir: string;
  let shelves: string;

  /** A fresh copy of the tiny dataset to break in one way. */
  const copy = (name: string): string => {
    const target = path.join(dir, name);
    cpSync(shelves, target, { recursive: true });
    return target;
  };

  before(async () => {
    dir = mkdtempSync(path.join(harnessRoot(), 'security-'));
    shelves = path.join(dir, 'shelves');
    await makeShelves({ ...tinyShelvesOptions(shelves, 23, 6), labelShare: 0.6 });
    writeFileSync(path.join(dir, 'secret.csv'), `${SECRET},1,2,3,4,x,5,6\n`);
    w = await startTestWorker('security');
  });
  after(async () => {
    await w?.stop();
  });

  it('refuses dataset.labels that climbs out of the dataset, and never echoes the file', async () => {
    const data = copy('labels-dotdot');
    const plan = editPlan(expandPaperPipeline(tinyConfig(data)), INGEST, (_s, p) =>
      'labels' in p ? { ...p, labels: '../secret.csv' } : p,
    );
    const message = await runMustFail(w, plan, 'labels-dotdot');
    assert.match(message, /dataset\.labels \.\.\/secret\.csv: label CSV name escapes the dataset folder/);
    assert.doesNotMatch(message, new RegExp(SECRET));
  });

  it('refuses a labels.csv that is a symlink out of the dataset', async () => {
    const data = copy('labels-link');
    rmSync(path.join(data, 'labels.csv'));
    symlinkSync(path.join(dir, 'secret.csv'), path.join(data, 'labels.csv'));
    const message = await runMustFail(
      w,
      editPlan(expandPaperPipeline(tinyConfig(data)), INGEST),
      'labels-link',
    );
    assert.match(message, /label CSV is a link that points outside the dataset folder/);
    assert.doesNotMatch(message, new RegExp(SECRET));
  });

  it('refuses an annotation CSV that is a symlink out of the dataset', async () => {
    const data = copy('annotations-link');
    const csv = path.join(data, 'annotations', 'annotations_val.csv');
    rmSync(csv);
    symlinkSync(path.join(dir, 'secret.csv'), csv);
    const message = await runMustFail(
      w,
      editPlan(expandPaperPipeline(tinyConfig(data)), INGEST),
      'annotations-link',
    );
    assert.match(message, /annotation CSV is a link that points outside the dataset folder/);
    assert.doesNotMatch(message, new RegExp(SECRET));
  });

  it('skips and counts a FIFO in images/ instead of blocking on it', async () => {
    const data = copy('fifo');
    const victim = path.join(data, 'images', 'train_0.jpg');
    assert.ok(existsSync(victim), 'the tiny dataset has train_0.jpg');
    rmSync(victim);
    execFileSync('mkfifo', [victim]);
    const result = await withTimeout(
      'ingest with a FIFO',
      20_000,
      ingestSku110k({ root: data, maxBadShare: 1 }),
    );
    const unreadable = result.bad.unreadable_image;
    assert.ok(unreadable.count >= 1, `the FIFO's rows are counted (${JSON.stringify(unreadable)})`);
    assert.match(JSON.stringify(unreadable.examples), /not a regular file/);
    assert.ok(result.counts.goodBoxes > 0, 'the other images are still used');
  });

  it('refuses imported-model weight paths outside the model folder', async () => {
    const modelDir = path.join(dir, 'model');
    mkdirSync(modelDir);
    writeFileSync(path.join(dir, 'outside.bin'), SECRET);
    const model = path.join(modelDir, 'model.json');
    writeFileSync(
      model,
      JSON.stringify({ modelTopology: {}, weightsManifest: [{ paths: ['../outside.bin'], weights: [] }] }),
    );
    const config = RunConfigSchema.parse({
      ...tinyConfig(shelves),
      backbones: [{ name: 'imp', kind: 'imported', model, inputSize: 16 }],
    });
    const message = await runMustFail(w, editPlan(expandPaperPipeline(config), ['backbone@imp']), 'weights');
    assert.match(message, /weightsManifest path "\.\.\/outside\.bin" is refused/);
  });

  it('refuses a manifest whose file names leave the artefact, or that was copied from another key', async () => {
    const bucket: Bucket = bucketOf(w.settings);
    const key = 'c'.repeat(64);
    const crafted = {
      schema: 'shelfssl.artefact/v1',
      stage: 'crop',
      codeVersion: 1,
      cacheKey: key,
      digest: 'd'.repeat(64),
      params: {},
      inputs: {},
      files: [
        {
          name: 'labelled/../../../../escape.txt',
          objectKey: `artefacts/crop/${key}/files/labelled/../../../../escape.txt`,
          sha256: 'e'.repeat(64),
          size: 1,
          etag: 'x',
        },
      ],
      metrics: {},
      timings: { startedAt: '', finishedAt: '', durationMs: 0 },
      createdAt: '',
      worker: { host: 'h', pid: 1 },
    };
    const put = async (k: string, m: unknown) => {
      const body = Buffer.from(JSON.stringify(m));
      await bucket.s3.putObject(bucket.bucket, manifestKey('crop', k), body, body.length);
    };
    await put(key, crafted);
    await assert.rejects(readManifest(bucket, 'crop', key), (e: Error) => {
      assert.ok(e instanceof ArtefactCorruptError);
      assert.match(e.message, /unsafe file name/);
      return true;
    });
    const other = 'f'.repeat(64);
    // A genuine, signed manifest copied to another key: the signature holds, the address does not.
    const genuine = { ...crafted, files: [] };
    await put(other, { ...genuine, signature: sign(bucket.signingKey, 'manifest', genuine) });
    await assert.rejects(readManifest(bucket, 'crop', other), /says cache key c+, was read for f+/);
  });

  it('never writes a crafted manifest file name outside the scratch folder', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'security-scratch-'));
    const name = 'labelled/../../escape.txt';
    const input = {
      ref: { stage: 'crop', key: 'a'.repeat(64), digest: 'b'.repeat(64) },
      manifest: { files: [{ name, objectKey: 'x', sha256: 'c'.repeat(64), size: 1, etag: 'e' }] } as Manifest,
      contracts: undefined,
      read: async () => Buffer.from('pwned'),
    } satisfies LoadedInput;
    await assert.rejects(
      downloadInputFiles(input, 'labelled', path.join(scratch, 'in')),
      /not a plain relative name/,
    );
    assert.equal(existsSync(path.join(scratch, 'escape.txt')), false);
    assert.equal(existsSync(path.join(scratch, 'in', 'escape.txt')), false);
  });
});

describe('data roots: a workflow from any Temporal client names only folders the worker accepts', () => {
  it('defaults to the data dir, the working directory and s3://<bucket>/datasets/, never / or the home folder', () => {
    const creds = { SHELFSSL_S3_ACCESS_KEY: 'abc', SHELFSSL_S3_SECRET_KEY: 'abcdefgh-secret' };
    const work = mkdtempSync(path.join(os.tmpdir(), 'roots-default-'));
    assert.deepEqual(loadSettings({ ...creds, SHELFSSL_DATA_DIR: '/srv/data' }, work).dataRoots, [
      '/srv/data',
      work,
      's3://shelfssl/datasets/',
    ]);
    for (const broad of ['/', os.homedir()])
      assert.ok(!loadSettings(creds, broad).dataRoots.includes(broad), `${broad} is not a default root`);
    const given = loadSettings({ ...creds, SHELFSSL_DATA_ROOTS: `rel,/abs,s3://b/p/` }, work).dataRoots;
    assert.deepEqual(given, [path.join(work, 'rel'), '/abs', 's3://b/p/']);
  });

  it('fails a run whose dataset lies outside the worker data roots, and runs one inside', async () => {
    const allowed = mkdtempSync(path.join(harnessRoot(), 'roots-allowed-'));
    const outside = mkdtempSync(path.join(os.tmpdir(), 'roots-outside-'));
    await makeShelves({ ...tinyShelvesOptions(path.join(outside, 'shelves'), 23, 6), labelShare: 0.6 });
    cpSync(path.join(outside, 'shelves'), path.join(allowed, 'shelves'), { recursive: true });
    const settings = { ...testSettings('roots'), dataRoots: [allowed] };
    const worker = await createShelfWorker(settings, 'cpu', { maxConcurrentActivities: 2 });
    const running = worker.run();
    const { client, close } = await connectClient(settings);
    try {
      const plan = (loc: string) => editPlan(expandPaperPipeline(tinyConfig(loc)), ['snapshot']);
      const message = await runMustFail({ client, settings }, plan(path.join(outside, 'shelves')), 'roots');
      assert.match(message, /dataset\.location .* is outside this worker's data roots/);
      const { startPipelineRun } = await import('../../cli/runs.js');
      const ok = await startPipelineRun(client, settings, plan(path.join(allowed, 'shelves')));
      const result = await withTimeout('roots run', 60_000, ok.result());
      assert.ok(result.refs.snapshot, 'a dataset inside the roots is read');
    } finally {
      worker.shutdown();
      await running;
      await close();
    }
  });
});
