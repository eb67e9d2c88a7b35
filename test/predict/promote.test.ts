import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseModelSpec, resolveModel } from '../../cli/model/resolve-model.js';
import { aliasKey, readAlias } from '../../store/aliases.js';
import { bucketOf } from '../../store/artefacts.js';
import { readObject } from '../../store/s3.js';
import { runCli } from '../support/cli.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';
import { tinyTrainingRun } from './tiny-run.js';

describe('promote and the model resolver', () => {
  let w: RunningWorker;
  let runId: string;
  before(async () => {
    w = await startTestWorker('promote', undefined, { gpuQueue: true });
    ({ runId } = await tinyTrainingRun(w, mkdtempSync(path.join(os.tmpdir(), 'shelfssl-promote-'))));
  });
  after(async () => {
    await w.stop();
  });

  it('parses <alias|runId>[/backbone/head/fraction[/seed]] and names the field at fault', () => {
    assert.deepEqual(parseModelSpec('production'), { id: 'production' });
    assert.deepEqual(parseModelSpec('r1/swav/supervised/10pct/seed2'), {
      id: 'r1',
      config: { backbone: 'swav', mode: 'supervised', fraction: 10, seed: 2 },
    });
    assert.throws(() => parseModelSpec('r1/swav/linear/10'), /mode/);
    assert.throws(() => parseModelSpec('r1/swav'), /runId>\/<backbone>/);
  });

  it('resolves a run to its best configuration with backbone, head, classes and crop geometry', async () => {
    const bucket = bucketOf(w.settings);
    const best = await resolveModel(w.client, bucket, runId);
    assert.equal(best.runId, runId);
    assert.equal(best.config.backbone, 'random-init');
    assert.equal(best.backbone.stage, 'backbone');
    assert.equal(best.head.stage, 'head');
    assert.equal(best.cropSize, 16);
    assert.equal(best.classes.length, 5);
    assert.ok(best.metrics && best.metrics.accuracy > 0);
    const named = await resolveModel(w.client, bucket, `${runId}/random-init/supervised/50`);
    assert.equal(named.config.fraction, 50);
    await assert.rejects(resolveModel(w.client, bucket, `${runId}/swav/supervised/50`), /no evaluated head/);
  });

  it('`promote` sets an alias with its history, and the alias resolves to the promoted model', async () => {
    const first = await runCli([
      'promote',
      runId,
      '--config',
      'random-init/supervised/50',
      '--alias',
      'staging',
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /staging -> .*random-init\/supervised\/50\/1/);
    assert.match(first.stdout, /was\s+\(unset\)/);
    const second = await runCli(['promote', runId, '--alias', 'staging', '--note', 'best of the run']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /was\s+.*\/50\/1/);
    const bucket = bucketOf(w.settings);
    const file = await readAlias(bucket, 'staging');
    assert.equal(file?.history.length, 1);
    assert.equal(file?.current.note, 'best of the run');
    assert.equal(file?.history[0]?.model.config.fraction, 50);
    const resolved = await resolveModel(w.client, bucket, 'staging');
    assert.equal(resolved.alias, 'staging');
    assert.deepEqual(resolved.head, file?.current.model.head);
    const bad = await runCli(['promote', runId, '--config', 'nope']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--config: backbone\/head\/fraction/);
  });

  it('an alias file rewritten in the bucket without the manifest key is refused, not followed', async () => {
    assert.equal((await runCli(['promote', runId, '--alias', 'tamper'])).code, 0);
    const bucket = bucketOf(w.settings);
    const stored = JSON.parse((await readObject(bucket.s3, bucket.bucket, aliasKey('tamper'))).toString());
    stored.current.model.runId = 'someone-elses-run';
    const body = Buffer.from(JSON.stringify(stored));
    await bucket.s3.putObject(bucket.bucket, aliasKey('tamper'), body, body.length);
    await assert.rejects(
      readAlias(bucket, 'tamper'),
      /alias file aliases\/tamper\.json is signed with another key/,
    );
  });

  it('`compare` diffs params, dataset and scores of two runs, as text and --json', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-compare-'));
    const { runId: other } = await tinyTrainingRun(w, dir, [50], 14);
    const json = await runCli(['compare', runId, other, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const c = JSON.parse(json.stdout);
    assert.deepEqual(c.runs, { a: runId, b: other });
    assert.ok(
      c.params.onlyA.some((id: string) => id.includes('100pct')),
      'the 100 % heads are only in A',
    );
    assert.ok(
      c.params.changed.some((ch: { key: string }) => ch.key === 'fractions'),
      'sample fractions differ',
    );
    assert.ok(c.dataset.imagesAdded.length > 0, 'B was generated with more photos');
    const both = c.accuracy.find((r: { config: string }) => r.config === 'random-init/supervised/50');
    assert.ok(both.a !== null && both.b !== null);
    assert.ok(Math.abs(both.delta - (both.b - both.a)) < 1e-12);
    assert.equal(c.accuracy.find((r: { config: string }) => r.config.endsWith('/100')).b, null);
    assert.equal(c.perClassF1.length, 5, 'one row per class of the configuration both runs have');
    const text = await runCli(['compare', runId, other]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /images added \d+/);
    assert.match(text.stdout, /random-init\/supervised\/50\s+[\d.]+\s+[\d.]+\s+[+-][\d.]+/);
    assert.match(text.stdout, /per-class F1/);
  });
});
