// Scale-aware SwAV defaults (ml/swav/params.ts) and the collapse retry's fixes
// (swav-recovery.ts): pure functions of the settings, the crop size and the unlabelled pool.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyCollapseFixes, describeChanges } from '../../activities/stages/swav/swav-recovery.js';
import { resolvedAutoValues, resolveSwavSettings, SwavParams } from '../../ml/swav/params.js';

const defaults = (extra: Record<string, unknown> = {}) =>
  SwavParams.parse({ arch: { kind: 'small-resnet' }, ...extra });

test('omitted settings are auto; for 32 px crops and ~5 k crops they give the softer recipe that trains', () => {
  const params = defaults();
  assert.equal(params.prototypes, 'auto');
  const s = resolveSwavSettings(params, { cropSize: 32, images: 5150 });
  assert.deepEqual(s.globalScale, [0.4, 1]);
  assert.equal(s.globalCrop, 32);
  assert.equal(s.localCount, 0, 'local crops of a 32 px crop are 14 px patches: off');
  assert.equal(s.colorJitter, 0.5);
  assert.equal(s.prototypes, 32);
  assert.equal(s.queueLength, 0);
  assert.equal(s.epochs, 15);
  assert.deepEqual(Object.keys(resolvedAutoValues(params, s)).sort(), [
    'colorJitter',
    'epochs',
    'globalCrop',
    'globalScale',
    'localCount',
    'localCrop',
    'localScale',
    'prototypes',
    'queueLength',
    'queueStartEpoch',
  ]);
});

test("at ImageNet scale the rules give back SwAV's own recipe", () => {
  const s = resolveSwavSettings(defaults({ batchSize: 256 }), { cropSize: 224, images: 1_281_167 });
  assert.deepEqual(s.globalScale, [0.14, 1]);
  assert.deepEqual(s.localScale, [0.05, 0.14]);
  assert.equal(s.localCrop, 96);
  assert.equal(s.localCount, 6);
  assert.equal(s.colorJitter, 1);
  assert.equal(s.prototypes, 3000);
  assert.ok(s.queueLength > 0 && (256 + s.queueLength) / 2 >= 3000, `queue ${s.queueLength}`);
});

test('small pools get fewer prototypes (≥ 2 crops per prototype in a batch), more epochs; explicit values stay', () => {
  const small = resolveSwavSettings(defaults(), { cropSize: 32, images: 2900 });
  assert.equal(small.prototypes, 16);
  assert.equal(small.epochs, Math.ceil(1200 / Math.floor(2900 / 64)));
  const big = resolveSwavSettings(defaults(), { cropSize: 64, images: 40_000 });
  assert.ok(2 * big.prototypes <= 64 + big.queueLength, JSON.stringify(big));
  assert.deepEqual(big.globalScale, [0.14, 1]);
  const given = resolveSwavSettings(defaults({ prototypes: 64, globalScale: [0.2, 1], epochs: 3 }), {
    cropSize: 32,
    images: 5150,
  });
  assert.equal(given.prototypes, 64);
  assert.deepEqual(given.globalScale, [0.2, 1]);
  assert.equal(given.epochs, 3);
});

test('the collapse fixes: smaller epsilon, longer freeze from the restart, softer crops and jitter, a queue', () => {
  const s = resolveSwavSettings(defaults(), { cropSize: 32, images: 5150 });
  const at = { restartStep: 160, restartEpoch: 2, stepsPerEpoch: 80, images: 5150 };
  const { settings, changes } = applyCollapseFixes(
    s,
    ['epsilon', 'freezePrototypesSteps', 'globalScale', 'colorJitter', 'queueLength'],
    at,
  );
  assert.equal(settings.epsilon, 0.03);
  assert.equal(settings.freezePrototypesSteps, 160 + 80);
  assert.deepEqual(settings.globalScale, [0.6, 1]);
  assert.equal(settings.colorJitter, 0.25);
  assert.equal(settings.queueLength, 128);
  assert.equal(settings.queueStartEpoch, 2);
  assert.equal(
    describeChanges(changes),
    'swav.epsilon: 0.03, swav.freezePrototypesSteps: 240, swav.globalScale: [0.6, 1], swav.colorJitter: 0.25, swav.queueLength: 128',
  );
  assert.equal(s.epsilon, 0.05, 'the input settings are not modified');
});

test('collapseRetryFixes is checked: unknown names are refused with the allowed ones', () => {
  const bad = SwavParams.safeParse({ arch: { kind: 'small-resnet' }, collapseRetryFixes: ['lr'] });
  assert.equal(bad.success, false);
  assert.match(JSON.stringify(bad.error?.issues), /epsilon/);
});
