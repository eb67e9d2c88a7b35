import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadRunConfig } from '../../cli/config-file.js';
import { UsageError } from '../../config/errors.js';
import { closestKey } from '../../config/schema-keys.js';
import { loadSettings } from '../../config/settings.js';
import { BackboneSpec } from '../../ml/models/backbone-spec.js';
import { runCli } from '../support/cli.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-strict-'));
function configFile(name: string, value: unknown): string {
  const p = path.join(dir, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
}

const dataset = { location: '/data/shelves' };
const small = { kind: 'small-resnet', inputSize: 16, widths: [8, 16] };

/** One misspelled key per level of a run config: [what, config, field path, the key it meant]. */
const RUN_CONFIG_TYPOS: [string, Record<string, unknown>, string, string | undefined][] = [
  ['top level', { dataset, sweeep: {} }, 'sweeep', 'sweep'],
  ['dataset', { dataset: { ...dataset, lables: 'x.csv' } }, 'dataset.lables', 'labels'],
  ['ingest', { dataset, ingest: { maxbadshare: 0.1 } }, 'ingest.maxbadshare', 'maxBadShare'],
  ['crop', { dataset, crop: { crop_size: 16 } }, 'crop.crop_size', 'cropSize'],
  [
    'a random backbone',
    { dataset, backbones: [{ name: 'r', kind: 'random', archh: small }] },
    'backbones.0.archh',
    'arch',
  ],
  [
    'its small-resnet arch',
    { dataset, backbones: [{ name: 'r', kind: 'random', arch: { ...small, input_size: 16 } }] },
    'backbones.0.arch.input_size',
    'inputSize',
  ],
  [
    'a resnet50 arch',
    { dataset, backbones: [{ name: 'r', kind: 'random', arch: { kind: 'resnet50', seeed: 1 } }] },
    'backbones.0.arch.seeed',
    'seed',
  ],
  [
    'a swav backbone',
    { dataset, backbones: [{ name: 's', kind: 'swav', swavv: {} }] },
    'backbones.0.swavv',
    'swav',
  ],
  [
    'its swav settings',
    { dataset, backbones: [{ name: 's', kind: 'swav', swav: { arch: small, epoch: 3 } }] },
    'backbones.0.swav.epoch',
    'epochs',
  ],
  [
    'the swav arch',
    { dataset, backbones: [{ name: 's', kind: 'swav', swav: { arch: { ...small, width: [8] } } }] },
    'backbones.0.swav.arch.width',
    'widths',
  ],
  [
    'an imported backbone',
    { dataset, backbones: [{ name: 'i', kind: 'imported', model: 'm.json', inputSize: 32, sorce: 'x' }] },
    'backbones.0.sorce',
    'source',
  ],
  ['features', { dataset, features: { batchsize: 8 } }, 'features.batchsize', 'batchSize'],
  ['heads', { dataset, heads: { mode: ['supervised'] } }, 'heads.mode', 'modes'],
  ['sweep', { dataset, sweep: { seed: 2 } }, 'sweep.seed', 'seeds'],
  ['report', { dataset, report: { titel: 'x' } }, 'report.titel', 'title'],
  ['an unknown key with no near match', { dataset, report: { colour: 'x' } }, 'report.colour', undefined],
];

describe('every schema that parses user input is strict (a misspelled key at every level)', () => {
  for (const [level, config, field, meant] of RUN_CONFIG_TYPOS) {
    it(`run config, ${level}: ${field} is an error naming the key and the fix`, () => {
      const file = configFile(`${field}.json`, config);
      assert.throws(
        () => loadRunConfig(file),
        (err: unknown) => {
          assert.ok(err instanceof UsageError, String(err));
          assert.ok(err.message.includes(`  ${field}: unknown key (got `), err.message);
          if (meant) assert.ok(err.message.includes(`did you mean "${meant}"?`), err.message);
          else assert.match(err.message, /remove it, the keys allowed here are: title/);
          assert.doesNotMatch(err.message, /"code":|\[\s*\{/, 'no raw zod issue JSON');
          return true;
        },
      );
    });
  }

  const SETTINGS_TYPOS: [string, string, string][] = [
    ['datadir: x\n', 'datadir', 'dataDir'],
    ['temporal:\n  adress: 1.2.3.4:7233\n', 'temporal.adress', 'address'],
    ['temporal:\n  taskQueues:\n    gpuu: q\n', 'temporal.taskQueues.gpuu', 'gpu'],
    ['s3:\n  bukket: x\n', 's3.bukket', 'bucket'],
  ];
  for (const [yaml, field, meant] of SETTINGS_TYPOS) {
    it(`settings file: ${field} is an error with "did you mean ${meant}"`, () => {
      const file = path.join(dir, `${field}.yaml`);
      writeFileSync(file, yaml);
      assert.throws(
        () => loadSettings({ SHELFSSL_CONFIG: file, SHELFSSL_DATA_DIR: dir }, dir),
        (err: Error) =>
          err.message.includes(`${field}: unknown key`) && err.message.includes(`did you mean "${meant}"?`),
      );
    });
  }

  it('backbone specs (small-resnet, resnet50, imported) reject unknown keys', () => {
    for (const spec of [
      { ...small, width: [8] },
      { kind: 'resnet50', inputsize: 64 },
      { kind: 'imported', modelKey: 'k', inputSize: 32, featureDim: 8, sauce: 'x' },
    ])
      assert.equal(BackboneSpec.safeParse(spec).success, false, JSON.stringify(spec));
  });

  it('closestKey: case, underscores, plurals and near spellings; nothing for a stranger', () => {
    assert.equal(closestKey('input_size', ['kind', 'inputSize']), 'inputSize');
    assert.equal(closestKey('width', ['widths', 'seed']), 'widths');
    assert.equal(closestKey('lables', ['location', 'labels', 'classes']), 'labels');
    assert.equal(closestKey('colour', ['title']), undefined);
  });

  it('pipeline show with a typo in the backbone arch: exit 2, field, value and fix, no raw JSON', async () => {
    const file = configFile('arch.json', {
      dataset,
      backbones: [{ name: 'r', kind: 'random', arch: { kind: 'small-resnet', input_size: 16 } }],
    });
    const r = await runCli(['pipeline', 'show', '--config', file]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /backbones\.0\.arch\.input_size: unknown key \(got 16\); did you mean "inputSize"\?/,
    );
    assert.doesNotMatch(r.stderr, /"code":/);
  });
});

describe('sweep fractions at or below 1 are probably meant as shares', () => {
  it('warns "did you mean 50 %?" for 0.5 and nothing for 10', () => {
    const warnings: string[] = [];
    const file = configFile('half.json', { dataset, sweep: { fractions: [0.5, 10] } });
    loadRunConfig(file, {}, dir, (l) => warnings.push(l));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0]!, /sweep\.fractions: 0\.5 means 0\.5 % of the labels; did you mean 50 %\?/);
  });
});
