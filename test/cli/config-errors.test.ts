import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadRunConfig } from '../../cli/config-file.js';
import { UsageError } from '../../config/errors.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-cli-config-'));
function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('run configs and flags are validated before anything starts (exit 2)', () => {
  it('a bad config file names the field and the value, through the real binary', async () => {
    const bad = file('bad.yaml', 'dataset:\n  location: shelves\nsweep:\n  fractions: [101, 20]\n');
    for (const cmd of [['pipeline', 'show'], ['run'], ['sweep']]) {
      const r = await runCli([...cmd, '--config', bad]);
      assert.equal(r.code, 2, `${cmd.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /sweep\.fractions\.0: .*at most 100.*\(got 101\)/, cmd.join(' '));
    }
  });

  it('an unknown key, a YAML syntax error and a missing file are usage errors naming the problem', async () => {
    const unknown = await runCli([
      'pipeline',
      'show',
      '--config',
      file('u.yaml', 'dataset: {location: x}\nsweeep: {}\n'),
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /sweeep/);
    const syntax = await runCli(['pipeline', 'show', '--config', file('s.yaml', 'dataset: [unclosed\n')]);
    assert.equal(syntax.code, 2);
    assert.match(syntax.stderr, /not valid YAML/);
    const missing = await runCli(['run', '--config', path.join(dir, 'nope.yaml')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /nope\.yaml: cannot read it/);
  });

  for (const value of ['abc', '0', '101', '10,,20']) {
    it(`sweep --fractions ${value} exits 2 naming --fractions`, async () => {
      const r = await runCli(['sweep', '--fractions', value]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /--fractions item \d+: each fraction is a percentage in \(0, 100\]/);
    });
  }

  it('sweep --seeds and schedule --hour name the flag and the allowed range', async () => {
    const seeds = await runCli(['sweep', '--seeds', 'x']);
    assert.equal(seeds.code, 2);
    assert.match(seeds.stderr, /--seeds: an integer from 1 to 20.*\(got "x"\)/);
    const hour = await runCli(['schedule', 'create', '--id', 'a', '--config', 'c.yaml', '--hour', '24']);
    assert.equal(hour.code, 2);
    assert.match(hour.stderr, /--hour: an integer from 0 to 23/);
    const day = await runCli(['schedule', 'create', '--id', 'a', '--config', 'c.yaml', '--day', 'funday']);
    assert.equal(day.code, 2);
    assert.match(day.stderr, /--day: one of mon, tue/);
  });

  it('run --stage with a stage the pipeline lacks lists the stages it has', async () => {
    const r = await runCli(['run', '--stage', 'pretrian']);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /--stage: got "pretrian"; the stages of pipeline "paper" are: snapshot, ingest, boxes, crop/,
    );
  });

  it('pipeline show prints stages with descriptions and nodes in topological order', async () => {
    const cfg = file(
      'small.json',
      JSON.stringify({ dataset: { location: 'data' }, sweep: { fractions: [50], seeds: 1 } }),
    );
    const r = await runCli(['pipeline', 'show', '--config', cfg]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /pretrain +\[gpu\] SwAV self-supervised pretraining/);
    const order = ['snapshot  (', 'ingest  (', 'crop  (', 'report  ('].map((s) => r.stdout.indexOf(`  ${s}`));
    assert.ok(
      order.every((i, k) => i > 0 && (k === 0 || i > (order[k - 1] ?? 0))),
      r.stdout,
    );
    assert.match(
      r.stdout,
      /head@swav\/supervised\/50pct\/seed1 {2}\(stage head, queue cpu, group 50pct\/seed1\)/,
    );
    assert.match(r.stdout, /features <- features@swav/);
  });

  it('loadRunConfig: --dataset overrides; relative locations resolve against the config file', () => {
    const cfg = file('rel.yaml', 'dataset:\n  location: ./shelves\n');
    assert.equal(loadRunConfig(cfg).dataset.location, path.join(dir, 'shelves'));
    assert.equal(loadRunConfig(cfg, { dataset: 'other' }, '/work').dataset.location, '/work/other');
    const s3 = file('s3.yaml', 'dataset:\n  location: s3://bucket/shelves\n');
    assert.equal(loadRunConfig(s3).dataset.location, 's3://bucket/shelves');
    const noDataset = file('nodata.yaml', 'name: x\n');
    assert.throws(
      () => loadRunConfig(noDataset),
      (e: unknown) => e instanceof UsageError && /dataset/.test(e.message),
    );
    assert.equal(loadRunConfig(noDataset, { dataset: '/d' }).dataset.location, '/d');
    const swept = loadRunConfig(undefined, { sweep: { fractions: [5, 15], seeds: 2 } }, '/w');
    assert.deepEqual(swept.sweep, { fractions: [5, 15], seeds: 2 });
    assert.equal(swept.dataset.location, '/w/.shelfssl/shelves');
  });
});
