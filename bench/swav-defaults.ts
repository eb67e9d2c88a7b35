// Do SwAV's defaults work on a dataset they were not tuned on? Generates Fashion-MNIST shelves that differ
// from the demo's in photo size, product size, colours and classes (and the demo's own shelves), pretrains
// SwAV with default settings only (every `auto` resolved as the pretrain stage resolves it), and compares
// the frozen features with the same network at random init: cosine k-NN over the labelled pool and the
// linear head (ml/head's own protocol) at 10 % of the labels, mean ± std over SwAV and sample seeds.
//
//   npm run bench -- --suite swav-defaults            (writes bench/results/swav-defaults.md)
import os from 'node:os';
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { MakeShelvesOptions } from '../data/shelves/make-shelves.js';
import { buildBackbone } from '../ml/models/index.js';
import { SwavParams } from '../ml/swav/params.js';
import { DEMO_ARCH, DEMO_SHELVES } from '../pipelines/demo-config.js';
import { initBackend } from '../runtime/index.js';
import {
  type CropData,
  type FeatureScores,
  prepareDataset,
  pretrainSwav,
  type SwavRun,
  scoreBackbone,
} from './swav-vs-random.js';
import type { ShelfTint } from './tint-shelves.js';

/** A shelf dataset the benchmark (and test/ml/swav-defaults-quality.test.ts) trains on. */
export interface BenchDataset {
  name: string;
  what: string;
  shelves: Omit<MakeShelvesOptions, 'out'>;
  tint?: ShelfTint;
}

/**
 * Not the demo's data: larger photos (800 × 600 instead of 640 × 480) with smaller products (28–64 px
 * instead of 40–90), footwear and bags instead of upper-body garments (sandal / sneaker / ankle boot look
 * alike), other distractors, and every photo re-coloured (hue +150°, saturation × 1.6). 20 photos give
 * ~2,900 unlabelled crops, about half the demo's, so the pool-size rules resolve differently too.
 */
export const OTHER_DATASET: BenchDataset = {
  name: 'footwear-tinted',
  what: '800×600 photos, products 28–64 px, sandal/sneaker/ankle-boot/bag, hue +150°',
  shelves: {
    images: 20,
    seed: 5,
    labelShare: 0.3,
    width: 800,
    height: 600,
    productSize: [28, 64],
    classes: { sandal: 5, sneaker: 7, 'ankle-boot': 9, bag: 8 },
    distractors: [0, 3],
  },
  tint: { hue: 150, saturation: 1.6 },
};

export const DEMO_DATASET: BenchDataset = {
  name: 'demo',
  what: '640×480 photos, products 40–90 px, five upper-body garments (the demo)',
  shelves: DEMO_SHELVES,
};

export interface DefaultsRun {
  swavSeed: number;
  random: FeatureScores;
  swav: FeatureScores;
  run: Omit<SwavRun, 'backbone'>;
}

export interface DefaultsDatasetResult {
  dataset: BenchDataset;
  unlabelled: number;
  labelled: number;
  runs: DefaultsRun[];
}

/** Loads (or generates) a dataset's crops at the default 32 px. */
export async function loadBenchDataset(
  dataset: BenchDataset,
  log: (line: string) => void,
): Promise<CropData> {
  const dir = path.join(os.tmpdir(), `shelfssl-swav-defaults-${dataset.name}`);
  return await prepareDataset({ dir, shelves: dataset.shelves, cropSize: 32, tint: dataset.tint, log });
}

/**
 * One SwAV seed on one dataset: the backbone at random init vs after SwAV with default settings (only the
 * architecture and seed given; the arch seed is the SwAV seed, so both start from the same weights).
 */
export async function compareDefaults(
  data: CropData,
  swavSeed: number,
  options: {
    sampleSeeds: readonly number[];
    log: (line: string) => void;
    /** Score k-NN after every epoch (the pretrain stage's monitor; default on; off saves ~20 s). */
    monitor?: boolean;
  },
): Promise<DefaultsRun> {
  const params = SwavParams.parse({ arch: { ...DEMO_ARCH, seed: swavSeed }, seed: swavSeed });
  const arch = params.arch;
  const scoring = { fractions: [10], sampleSeeds: options.sampleSeeds };
  const init = buildBackbone(arch);
  const random = await scoreBackbone(init, data, scoring);
  init.dispose();
  const { backbone, ...run } = await pretrainSwav(data.unlabelled, params, {
    log: options.log,
    // The k-NN monitor, as the pretrain stage records it per epoch (here over the whole labelled pool).
    ...(options.monitor === false
      ? {}
      : {
          onEpoch: async (_epoch: number, _loss: number, trained: LayersModel) =>
            (await scoreBackbone(trained, data, { ...scoring, sampleSeeds: [] })).knnCv,
        }),
  });
  const swav = await scoreBackbone(backbone, data, scoring);
  backbone.dispose();
  return { swavSeed, random, swav, run };
}

export async function runSwavDefaultsBench(options: {
  datasets?: readonly BenchDataset[];
  swavSeeds?: readonly number[];
  sampleSeeds?: readonly number[];
  log: (line: string) => void;
}): Promise<DefaultsDatasetResult[]> {
  const backend = await initBackend({ log: () => {} });
  options.log(`backend ${backend.name} (${backend.threads} threads)`);
  const results: DefaultsDatasetResult[] = [];
  for (const dataset of options.datasets ?? [OTHER_DATASET, DEMO_DATASET]) {
    options.log(`== ${dataset.name}: ${dataset.what}`);
    const data = await loadBenchDataset(dataset, options.log);
    const runs: DefaultsRun[] = [];
    // The demo's own shelves have a 3-seed check already (test/ml/swav-quality.test.ts, with its tuned recipe).
    for (const seed of options.swavSeeds ?? (dataset === DEMO_DATASET ? [1] : [1, 2, 3])) {
      const r = await compareDefaults(data, seed, {
        sampleSeeds: options.sampleSeeds ?? [1, 2, 3],
        log: options.log,
      });
      options.log(
        `  seed ${seed}: head@10 % random ${pct(r.random.head['10'])} vs SwAV ${pct(r.swav.head['10'])}, ` +
          `k-NN ${pct(r.random.knnCv)} vs ${pct(r.swav.knnCv)}, collapsed ${r.run.collapsed}`,
      );
      runs.push(r);
    }
    results.push({ dataset, unlabelled: data.unlabelled.n, labelled: data.labelled.n, runs });
  }
  return results;
}

const pct = (x: number | undefined) => `${((x ?? Number.NaN) * 100).toFixed(1)} %`;

function meanStd(xs: readonly number[]): string {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return `${(mean * 100).toFixed(1)} ± ${(std * 100).toFixed(1)}`;
}

/** The BENCHMARKS.md section: one row per dataset, then the resolved settings and per-epoch k-NN. */
export function formatSwavDefaults(results: readonly DefaultsDatasetResult[]): string {
  const lines = [
    'SwAV with default settings only (demo-sized ResNet-10, widths 16–128, 32 px crops) vs the same network at ' +
      'random init; head@10 %: the linear head of ml/head on 10 % of the labelled train crops, test split, ' +
      "mean ± std over SwAV seeds (3 on the non-demo shelves, 1 on the demo's) × 3 label samples; k-NN: 5-fold " +
      'cosine k-NN (k = 20) over the labelled pool, mean ± std over SwAV seeds.',
    '',
    '| dataset | crops (unlabelled / labelled) | collapsed runs | head@10 % random init | head@10 % SwAV | k-NN random | k-NN SwAV | SwAV s / run |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of results) {
    const all = (f: (run: DefaultsRun) => number[]) => r.runs.flatMap(f);
    lines.push(
      `| ${r.dataset.name} (${r.dataset.what}) | ${r.unlabelled} / ${r.labelled} | ` +
        `${r.runs.filter((x) => x.run.collapsed).length} of ${r.runs.length} | ` +
        `${meanStd(all((x) => x.random.headPerSeed['10'] ?? []))} | ${meanStd(all((x) => x.swav.headPerSeed['10'] ?? []))} | ` +
        `${meanStd(r.runs.map((x) => x.random.knnCv))} | ${meanStd(r.runs.map((x) => x.swav.knnCv))} | ` +
        `${(r.runs.reduce((a, x) => a + x.run.seconds, 0) / r.runs.length).toFixed(0)} |`,
    );
  }
  lines.push('');
  for (const r of results) {
    const first = r.runs[0];
    if (!first) continue;
    lines.push(`${r.dataset.name}: resolved \`auto\` settings ${JSON.stringify(first.run.auto)}.`);
    for (const x of r.runs) {
      const curve = x.run.history.map((e) =>
        e.knnAccuracy === undefined ? '–' : (e.knnAccuracy * 100).toFixed(0),
      );
      lines.push(
        `seed ${x.swavSeed}: loss ${x.run.epochLosses[0]?.toFixed(2)} → ${x.run.epochLosses.at(-1)?.toFixed(2)} ` +
          `(ln K ${x.run.lnK.toFixed(2)}), k-NN per epoch ${pct(x.random.knnCv)} → ${curve.join(' ')} %.`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}
