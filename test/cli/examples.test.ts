import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runConfigKeysTable } from '../../cli/commands/pipeline.js';
import { loadRunConfig } from '../../cli/config-file.js';
import { demoConfig } from '../../pipelines/demo-config.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { paperConfig, paperSourceConfig } from '../../pipelines/paper-config.js';
import { runCli } from '../support/cli.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const example = (name: string) => path.join(repo, 'examples', name);

describe('shipped example configs and the generated key reference', () => {
  for (const name of ['tiny.yaml', 'demo.yaml', 'real-dataset.yaml', 'paper.yaml', 'paper-source.yaml']) {
    it(`examples/${name} parses and expands to a valid plan, with no warning`, () => {
      const warnings: string[] = [];
      const config = loadRunConfig(example(name), {}, repo, (l) => warnings.push(l));
      assert.ok(expandPaperPipeline(config).nodes.length > 10);
      assert.deepEqual(warnings, []);
    });
  }

  it('examples/demo.yaml is the demo run (same config as `shelfssl demo`)', () => {
    const fromFile = loadRunConfig(example('demo.yaml'));
    const demo = RunConfigSchema.parse(demoConfig(fromFile.dataset.location));
    assert.deepEqual(fromFile, demo);
  });

  it('examples/paper*.yaml are the two runs of `shelfssl paper` (pipelines/paper-config.ts)', () => {
    const target = loadRunConfig(example('paper.yaml'));
    assert.deepEqual(target, RunConfigSchema.parse(paperConfig(target.dataset.location)));
    const source = loadRunConfig(example('paper-source.yaml'));
    assert.deepEqual(source, RunConfigSchema.parse(paperSourceConfig(source.dataset.location)));
  });

  it('README documents every run-config key: its reference table is the generated one', () => {
    const readme = readFileSync(path.join(repo, 'README.md'), 'utf8');
    const table = runConfigKeysTable().join('\n');
    assert.ok(readme.includes(table), 'README.md is stale: paste `shelfssl pipeline keys` into it');
    for (const key of ['backbones[].arch.widths', 'backbones[].swav.epsilon', 'heads.pseudoRounds'])
      assert.ok(table.includes(`\`${key}\``), key);
  });

  it("pipeline show --params prints each node's resolved params", async () => {
    const r = await runCli(['pipeline', 'show', '--config', example('tiny.yaml'), '--params']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^ {6}params \{"kind":"random","arch":\{"kind":"small-resnet","inputSize":16,"widths":\[8,16\]/m,
    );
    assert.match(r.stdout, /params \{.*"epochs":2,.*"prototypes":8/);
  });
});
