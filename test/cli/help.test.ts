import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadCommands } from '../../cli/app.js';
import { runCli } from '../support/cli.js';

describe('shelfssl --help', () => {
  it('lists every command', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0);
    for (const c of await loadCommands()) assert.match(r.stdout, new RegExp(`\\b${c.name}\\b`));
  });

  it('every command and sub-command answers --help with its usage and exit 0', async () => {
    const paths = (await loadCommands()).flatMap((c) =>
      c.subcommands ? c.subcommands.map((s) => [c.name, s.name]) : [[c.name]],
    );
    for (const p of paths) {
      const r = await runCli([...p, '--help']);
      assert.equal(r.code, 0, `${p.join(' ')} --help: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^Usage: shelfssl ${p.join(' ')}`), p.join(' '));
    }
  });

  it('exits 2 with a message for an unknown command or flag', async () => {
    const unknown = await runCli(['frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown command "frobnicate"/);
    const badFlag = await runCli(['worker', '--queue', 'tpu']);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /--queue: got "tpu"; allowed values are cpu, gpu/);
  });
});
