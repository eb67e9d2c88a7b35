// Measured, not assumed: does choosing which crops to label (margin, diverse, entropy) beat labelling a
// random draw, at equal annotation budget? A simulation on the demo's generated shelves, where the generator
// knows every box's class: the annotator is an oracle that names a product's class and marks a distractor
// (not one of the classes) as such. Features: one SwAV pretraining as the demo's (label-blind, every crop
// outside the held-out region), cached on disk; the head is the converged linear head of ml/head.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { cropAllBoxes } from '../data/crop/index.js';
import { CROP_INDEX_VERSION } from '../data/crop/index-format.js';
import { loadCropPoolDir } from '../data/crop/load-pool.js';
import { matchLabels, readLabelCsv } from '../data/labels/index.js';
import { decodeNpy, encodeNpy } from '../data/npy.js';
import { makeShelves } from '../data/shelves/index.js';
import { ingestSku110k } from '../data/sku110k/index.js';
import { type SelectionStrategy, selectForLabelling } from '../ml/active/index.js';
import { predictHead, trainLinearHead } from '../ml/head/index.js';
import { classificationReport } from '../ml/metrics/index.js';
import { extractFeatures } from '../ml/models/index.js';
import { createRng, permutation } from '../ml/random.js';
import { SwavParams } from '../ml/swav/index.js';
import { DEMO_SHELVES, DEMO_SWAV } from '../pipelines/demo-config.js';
import { DEFAULT_CLASSES } from '../pipelines/paper.js';
import { initBackend } from '../runtime/index.js';
import { pretrainSwav } from './swav-vs-random.js';

/** What the feature cache in the temp folder records beside the features. */
const CachedMeta = z.object({ swavSeconds: z.number() });

export interface ActiveLearningOptions {
  strategies?: SelectionStrategy[];
  seeds?: number;
  /** Share of the labellable crops labelled at the start and added per round, in %. */
  stepPct?: number;
  rounds?: number;
  dir?: string;
  log?: (line: string) => void;
}

interface Simulated {
  features: Float32Array;
  dim: number;
  /** Class index per crop, -1 for a distractor (no class). */
  truth: number[];
  heldOut: boolean[];
  swavSeconds: number;
}

/** The demo's shelves with every class box labelled (the oracle), cropped label-blind, SwAV features. */
async function simulatedShelves(dir: string, log: (line: string) => void): Promise<Simulated> {
  const root = path.join(dir, 'shelves');
  const cache = path.join(dir, 'features.npy');
  const meta = path.join(dir, 'meta.json');
  if (!existsSync(path.join(root, 'shelves.json'))) {
    await makeShelves({ ...DEMO_SHELVES, labelShare: 1, out: root });
  }
  const ingest = await ingestSku110k({ root });
  const truthRows = (await readLabelCsv(path.join(root, 'labels.csv'))).rows;
  const labelOf = new Map(
    matchLabels(ingest.boxes, truthRows, { classes: DEFAULT_CLASSES }).labels.map((l) => [l.boxId, l.label]),
  );
  // The index format's version in the name: crops cached by an older build are made again, not misread.
  const cropDir = path.join(dir, `crops-v${CROP_INDEX_VERSION}`);
  if (!existsSync(path.join(cropDir, 'all', 'index.json'))) {
    await cropAllBoxes({
      root,
      outDir: cropDir,
      boxes: ingest.boxes,
      cropSize: 32,
      seed: 7,
      testShare: 0.15,
    });
  }
  const pool = await loadCropPoolDir(path.join(cropDir, 'all'));
  const truth = pool.index.entries.map((e) => labelOf.get(e.boxId) ?? -1);
  const heldOut = pool.index.entries.map((e) => e.split === 'test');
  if (existsSync(cache) && existsSync(meta)) {
    const arr = decodeNpy(await readFile(cache));
    const { swavSeconds } = CachedMeta.parse(JSON.parse(await readFile(meta, 'utf8')));
    return { features: arr.data as Float32Array, dim: arr.shape[1]!, truth, heldOut, swavSeconds };
  }
  await initBackend({ log });
  const per = pool.size * pool.size * 3;
  const trainRows = heldOut.flatMap((h, i) => (h ? [] : [i]));
  const pixels = new Uint8Array(trainRows.length * per);
  trainRows.forEach((r, i) => {
    pixels.set(pool.pixels.subarray(r * per, (r + 1) * per), i * per);
  });
  log(`SwAV (the demo's settings) on ${trainRows.length} crops outside the held-out region`);
  const run = await pretrainSwav(
    { pixels, n: trainRows.length, h: pool.size, w: pool.size, c: 3 },
    SwavParams.parse(DEMO_SWAV),
    { log },
  );
  const features = await extractFeatures(run.backbone, pool.pixels, pool.n, pool.size, pool.size, 3, 128);
  const dim = features.length / pool.n;
  run.backbone.dispose();
  await writeFile(cache, encodeNpy(features, [pool.n, dim]));
  await writeFile(meta, JSON.stringify({ swavSeconds: run.seconds }));
  return { features, dim, truth, heldOut, swavSeconds: run.seconds };
}

function rowsOf(features: Float32Array, dim: number, rows: readonly number[]): Float32Array {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => {
    out.set(features.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  return out;
}

export interface RoundResult {
  round: number;
  /** Crops shown to the annotator so far (distractors included): the budget. */
  asked: number;
  /** Of them, products of the classes: the labels the head trains on. */
  labels: number;
  accuracy: number;
  macroF1: number;
}

/** `all`: every unlabelled crop may be asked, distractors too (real shelves); `products`: class crops only. */
export type CandidatePool = 'all' | 'products';

export interface StrategyRun {
  pool: CandidatePool;
  strategy: SelectionStrategy;
  seed: number;
  rounds: RoundResult[];
}

/** One strategy, one seed: the same random start for every strategy, then `rounds` rounds of `step` crops. */
function simulate(
  data: Simulated,
  run: { pool: CandidatePool; strategy: SelectionStrategy; seed: number },
  step: number,
  rounds: number,
  start: number[],
): StrategyRun {
  const { pool, strategy, seed } = run;
  const { features, dim, truth, heldOut } = data;
  const test = truth.flatMap((t, i) => (heldOut[i] && t >= 0 ? [i] : []));
  const testX = rowsOf(features, dim, test);
  const testY = Int32Array.from(test, (i) => truth[i]!);
  const asked = new Set<number>(start);
  const results: RoundResult[] = [];
  for (let round = 0; round <= rounds; round++) {
    const labelled = [...asked].filter((i) => truth[i]! >= 0).sort((a, b) => a - b);
    const head = trainLinearHead({
      features: rowsOf(features, dim, labelled),
      dim,
      labels: Int32Array.from(labelled, (i) => truth[i]!),
      classes: DEFAULT_CLASSES.length,
      seed,
    }).head;
    const report = classificationReport(testY, predictHead(head, testX).labels, DEFAULT_CLASSES.length);
    results.push({
      round,
      asked: asked.size,
      labels: labelled.length,
      accuracy: report.accuracy,
      macroF1: report.macro.f1,
    });
    if (round === rounds) break;
    const candidates = truth.flatMap((t, i) =>
      heldOut[i] || asked.has(i) || (pool === 'products' && t < 0) ? [] : [i],
    );
    const probs =
      strategy === 'margin' || strategy === 'entropy'
        ? predictHead(head, rowsOf(features, dim, candidates)).probs
        : undefined;
    const chosen = selectForLabelling({
      strategy,
      n: step,
      features,
      dim,
      candidates,
      labelled,
      ...(probs ? { probs, classes: DEFAULT_CLASSES.length } : {}),
      shortlist: 5,
      seed: seed * 1000 + round,
    });
    for (const r of chosen.rows) asked.add(r);
  }
  return { pool, strategy, seed, rounds: results };
}

export interface ActiveLearningResult {
  crops: number;
  labellable: number;
  test: number;
  step: number;
  swavSeconds: number;
  simulationSeconds: number;
  runs: StrategyRun[];
}

export async function runActiveLearningBench(
  options: ActiveLearningOptions = {},
): Promise<ActiveLearningResult> {
  const log = options.log ?? (() => {});
  const dir = options.dir ?? path.join(os.tmpdir(), 'shelfssl-active-learning');
  await mkdir(dir, { recursive: true });
  const data = await simulatedShelves(dir, log);
  const strategies = options.strategies ?? ['random', 'margin', 'diverse', 'entropy'];
  const seeds = options.seeds ?? 3;
  const rounds = options.rounds ?? 5;
  const labellable = data.truth.filter((t, i) => t >= 0 && !data.heldOut[i]).length;
  // 2 % of the crops an annotator could label (class boxes outside the held-out region) per round.
  const step = Math.round((labellable * (options.stepPct ?? 2)) / 100);
  const t0 = performance.now();
  const runs: StrategyRun[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    // The starting labels: a random draw from the class crops, the same for every strategy of this seed.
    const pool = data.truth.flatMap((t, i) => (t >= 0 && !data.heldOut[i] ? [i] : []));
    const start = permutation(pool.length, createRng(seed))
      .slice(0, step)
      .map((j) => pool[j]!);
    for (const candidates of ['all', 'products'] as const)
      for (const strategy of strategies) {
        const run = simulate(data, { pool: candidates, strategy, seed }, step, rounds, start);
        log(
          `${candidates} ${strategy} seed ${seed}: ${run.rounds.map((r) => `${r.asked}:${(r.accuracy * 100).toFixed(1)}`).join(' ')}`,
        );
        runs.push(run);
      }
  }
  return {
    crops: data.truth.length,
    labellable,
    test: data.truth.filter((t, i) => t >= 0 && data.heldOut[i]).length,
    step,
    swavSeconds: data.swavSeconds,
    simulationSeconds: (performance.now() - t0) / 1000,
    runs,
  };
}

const pct = (x: number) => (x * 100).toFixed(1);

const mean = (xs: readonly number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
const signed = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)}`;

/** Accuracy (mean ± std over seeds, labels gained in brackets) and the paired gain over random, one pool. */
function poolTables(runs: readonly StrategyRun[], labellable: number) {
  const strategies = [...new Set(runs.map((x) => x.strategy))];
  const rounds = runs[0]?.rounds.length ?? 0;
  const at = (s: string, round: number, pick: (x: RoundResult) => number) =>
    runs.filter((x) => x.strategy === s).map((x) => pick(x.rounds[round]!));
  const budgets = Array.from({ length: rounds }, (_, k) => at('random', k, (x) => x.asked)[0] ?? 0);
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const rule = (n: number) => `|${'---|'.repeat(n)}`;
  const accuracy = (s: string, k: number) => {
    const xs = at(s, k, (x) => x.accuracy);
    const m = mean(xs);
    const sd = Math.sqrt(xs.reduce((x, y) => x + (y - m) ** 2, 0) / Math.max(1, xs.length - 1));
    return `${pct(m)} ± ${pct(sd)} (${mean(at(s, k, (x) => x.labels)).toFixed(0)})`;
  };
  const gains = (s: string, k: number) => {
    const b = at('random', k, (x) => x.accuracy);
    return at(s, k, (x) => x.accuracy).map((v, i) => (v - b[i]!) * 100);
  };
  const table = [
    row(['strategy', ...budgets.map((b) => `${b} asked (${((100 * b) / labellable).toFixed(0)} %)`)]),
    rule(budgets.length + 1),
    ...strategies.map((s) => row([s, ...budgets.map((_, k) => accuracy(s, k))])),
    '',
    'Gain over random at the same budget, accuracy points, paired by seed (mean, min to max):',
    '',
    row(['strategy', ...budgets.slice(1).map((b) => `${b} asked`)]),
    rule(budgets.length),
    ...strategies
      .filter((s) => s !== 'random')
      .map((s) =>
        row([
          s,
          ...budgets.slice(1).map((_, j) => {
            const d = gains(s, j + 1);
            return `${signed(mean(d))} (${signed(Math.min(...d))} to ${signed(Math.max(...d))})`;
          }),
        ]),
      ),
  ];
  const last = rounds - 1;
  const final = strategies
    .filter((s) => s !== 'random')
    .map((s) => ({
      s,
      gain: mean(gains(s, last)),
      auc: mean(budgets.slice(1).map((_, j) => mean(gains(s, j + 1)))),
    }));
  return { table, final, budget: budgets[last] ?? 0 };
}

/** One sentence per pool: whether active selection beat random at the final budget, and by how much. */
function verdict(name: string, t: ReturnType<typeof poolTables>): string {
  const best = [...t.final].sort((a, b) => b.gain - a.gain)[0];
  const all = t.final.map((f) => `${f.s} ${signed(f.gain)}`).join(', ');
  if (!best) return '';
  const beats = best.gain > 0.5;
  return (
    `${name}: ${beats ? `active selection beats random: ${best.s} by ${best.gain.toFixed(1)} points` : 'active selection does not beat random'} ` +
    `at ${t.budget} crops asked (${all} points vs random; mean gain over rounds 1-5: ` +
    `${t.final.map((f) => `${f.s} ${signed(f.auc)}`).join(', ')}).`
  );
}

/** The BENCHMARKS.md section: accuracy against budget per strategy and pool, gains over random, a verdict. */
export function formatActiveLearning(r: ActiveLearningResult): string {
  const seeds = new Set(r.runs.map((x) => x.seed)).size;
  const all = poolTables(
    r.runs.filter((x) => x.pool === 'all'),
    r.labellable,
  );
  const products = poolTables(
    r.runs.filter((x) => x.pool === 'products'),
    r.labellable,
  );
  return [
    `Demo shelves (${r.crops} crops, ${r.labellable} class crops outside the held-out region, ${r.test} labelled test ` +
      `crops), SwAV features (the demo's settings, ${r.swavSeconds.toFixed(0)} s, label-blind), converged linear head ` +
      `(ml/head defaults). Start: ${r.step} random class crops (2 %), the same for every strategy of a seed; then 5 ` +
      `rounds of ${r.step} crops picked by the strategy; the annotator is the generator's truth. Test accuracy in %, ` +
      `mean ± std over ${seeds} seeds, labels gained in brackets; simulation ${r.simulationSeconds.toFixed(0)} s.`,
    '',
    `- ${verdict('Real shelves (distractors in the pool)', all)}`,
    `- ${verdict('Products only (distractors never asked)', products)}`,
    '',
    '**Real shelves**: any unlabelled crop outside the held-out region may be asked; a distractor (a product of none ' +
      'of the classes) costs the annotator a look and gives no label.',
    '',
    ...all.table,
    '',
    '**Products only**: the same with distractors left out of the pool (as if a detector filtered them), so every ' +
      'crop asked is a label.',
    '',
    ...products.table,
  ].join('\n');
}
