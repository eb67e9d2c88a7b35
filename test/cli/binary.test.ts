import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { runCli } from '../support/cli.js';

/** The real binary against the harness servers: exit codes and messages a user sees. */
describe('shelfssl binary: status, schedule, report, rerun, data', () => {
  it('status lists runs (exit 0); a bad --limit is a usage error naming it', async () => {
    const list = await runCli(['status', '--json']);
    assert.equal(list.code, 0, list.stderr);
    assert.ok(Array.isArray(JSON.parse(list.stdout)));
    const bad = await runCli(['status', '--limit', '0']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--limit: an integer from 1 to 1000.*\(got "0"\)/);
  });

  it('a schedule or run that does not exist: exit 1 (server said no) or 2 (bad id given), naming it', async () => {
    const describeMissing = await runCli(['schedule', 'describe', 'no-such-schedule']);
    assert.equal(describeMissing.code, 1);
    assert.match(describeMissing.stderr, /shelfssl schedule: .*/);
    const rerunMissing = await runCli(['rerun', 'no-such-run', '--stage', 'crop', '--no-worker']);
    assert.equal(rerunMissing.code, 2);
    assert.match(rerunMissing.stderr, /workflow "no-such-run": cannot read its history/);
  });

  it('missing positionals and required flags exit 2', async () => {
    for (const args of [
      ['rerun'],
      ['rerun', 'wf'],
      ['report'],
      ['schedule', 'trigger'],
      ['schedule', 'create', '--id', 'x'],
      ['data', 'preview', '--out', 'x'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
  });

  it('data make-shelves --tiny writes a dataset and prints counts; data preview prints the PNG path', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-cli-data-'));
    const out = path.join(dir, 'shelves');
    const made = await runCli([
      'data',
      'make-shelves',
      '--tiny',
      '--out',
      out,
      '--images',
      '4',
      '--seed',
      '5',
      '--label-share',
      '0.5',
    ]);
    assert.equal(made.code, 0, made.stderr);
    assert.match(made.stdout, /^images {2}train \d+, val \d+, test \d+$/m);
    assert.match(made.stdout, /^labels {2}\d+ in labels\.csv/m);
    assert.ok(existsSync(path.join(out, 'labels.csv')));
    const preview = await runCli(['data', 'preview', '--dataset', out, '--out', path.join(dir, 'preview')]);
    assert.equal(preview.code, 0, preview.stderr);
    assert.equal(preview.stdout.trim(), path.join(dir, 'preview', 'shelf.png'));
    const bad = await runCli(['data', 'make-shelves', '--images', '0', '--label-share', '2']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--images: an integer from 1/);
    assert.match(bad.stderr, /--label-share: a number from 0 to 1/);
  });
});
