// Does a short SwAV pretraining of the small ResNet give better frozen features than the same network
// at random init? Generates (or reuses) Fashion-MNIST shelves, crops them, trains SwAV on the unlabelled
// pool exactly as the pretrain stage does, then compares both backbones' features on the labelled pool:
// cosine kNN (labelled train -> labelled test) and the paper's linear head at 10 % and 100 % of labels.
//
//   node dist/bench/swav-vs-random.js [--images 100] [--swav-seeds 1,2] [--epochs 6] [--json] ...
//   node dist/bench/swav-vs-random.js --help
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { z } from 'zod';
import { swavTrainingImages } from '../activities/stages/swav/swav-training-images.js';
import { cropShelfImages } from '../data/crop/index.js';
import { CROP_INDEX_VERSION } from '../data/crop/index-format.js';
import { type LoadedCropPool, loadCropPoolDir } from '../data/crop/load-pool.js';
import { findFashionMnist } from '../data/fashion-mnist.js';
import { matchLabels, readLabelCsv } from '../data/labels/index.js';
import { nestedStratifiedSample } from '../data/sampling.js';
import { type MakeShelvesOptions, makeShelves } from '../data/shelves/index.js';
import { ingestSku110k } from '../data/sku110k/index.js';
import { type HeadFitSettings, predictHead, trainLinearHead } from '../ml/head/index.js';
import { accuracy, knnAccuracy } from '../ml/metrics/index.js';
import { buildBackbone, extractFeatures } from '../ml/models/index.js';
import {
  crossValidatedKnn,
  detectCollapse,
  type EpochStats,
  type ImageBatch,
  type ResolvedSwavSettings,
  resolvedAutoValues,
  resolveSwavSettings,
  SwavParams,
  type SwavSettings,
  SwavTrainer,
  swavTrainerConfig,
} from '../ml/swav/index.js';
import { type BackendInfo, initBackend } from '../runtime/index.js';
import { type ShelfTint, tintShelfImages } from './tint-shelves.js';

export type { SwavSettings };

export type SwavSettingsInput = z.input<typeof SwavParams>;
/** The linear-evaluation protocol's settings (ml/head/params.ts); omitted ones take its defaults. */
export type HeadSettings = Partial<HeadFitSettings>;

// ---------------------------------------------------------------------------------------------------
// Dataset: shelves -> ingest -> labels -> crops, cached on disk by its settings.

export interface CropData {
  size: number;
  labelled: ImageBatch;
  labels: Int32Array;
  split: Array<'train' | 'test'>;
  boxIds: string[];
  unlabelled: ImageBatch;
}

export interface DatasetOptions {
  /** Folder for the shelves and crops; reused when it already holds a complete dataset. */
  dir: string;
  shelves: Omit<MakeShelvesOptions, 'out'>;
  cropSize: number;
  cropSeed?: number;
  testShare?: number;
  /** Re-colour the generated photos (a dataset whose colours differ from the demo's). */
  tint?: ShelfTint;
  log?: (line: string) => void;
}

async function loadPool(dir: string): Promise<{ batch: ImageBatch; index: LoadedCropPool['index'] }> {
  const pool = await loadCropPoolDir(dir);
  return { batch: { pixels: pool.pixels, n: pool.n, h: pool.size, w: pool.size, c: 3 }, index: pool.index };
}

/** Generates shelves from real Fashion-MNIST garments (unless cached), crops them and loads both pools. */
export async function prepareDataset(options: DatasetOptions): Promise<CropData> {
  const log = options.log ?? (() => {});
  if (options.shelves.source !== 'tiny' && findFashionMnist(options.shelves.fashionMnistDir) === null) {
    throw new Error(
      'Fashion-MNIST not found: install Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist; CI installs it via infra/setup-machine.sh)',
    );
  }
  const shelvesDir = path.join(options.dir, 'shelves');
  const wanted = JSON.stringify({ ...options.shelves, ...(options.tint ? { tint: options.tint } : {}) });
  const stamp = path.join(options.dir, 'settings.json');
  const cached = existsSync(stamp) && (await readFile(stamp, 'utf8')) === wanted;
  if (!cached) {
    await rm(options.dir, { recursive: true, force: true });
    const t0 = Date.now();
    const made = await makeShelves({ ...options.shelves, out: shelvesDir });
    if (options.tint) await tintShelfImages(shelvesDir, options.tint);
    log(
      `shelves: ${made.boxes} boxes, ${made.labelled} labelled in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    await writeFile(stamp, wanted);
  }
  const testShare = options.testShare ?? 0.15;
  const cropSeed = options.cropSeed ?? 7;
  // The index format's version in the name: crops cached by an older build are made again, not misread.
  const cropDir = path.join(
    options.dir,
    `crops-v${CROP_INDEX_VERSION}-${options.cropSize}-${testShare}-${cropSeed}`,
  );
  if (!existsSync(path.join(cropDir, 'unlabelled', 'index.json'))) {
    const t0 = Date.now();
    const ingest = await ingestSku110k({ root: shelvesDir });
    // The generator's class names in its mapping order: the pipeline's `dataset.classes` for these shelves.
    const classes = options.shelves.classes ? Object.keys(options.shelves.classes) : undefined;
    const labelRows = (await readLabelCsv(path.join(shelvesDir, 'labels.csv'))).rows;
    const matched = matchLabels(ingest.boxes, labelRows, classes ? { classes } : {});
    await rm(cropDir, { recursive: true, force: true });
    await cropShelfImages({
      root: shelvesDir,
      outDir: cropDir,
      boxes: ingest.boxes,
      labels: matched.labels,
      cropSize: options.cropSize,
      testShare,
      seed: cropSeed,
      ...(classes ? { classes } : {}),
    });
    log(
      `crops: ${ingest.boxes.length} at ${options.cropSize} px in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
  }
  const labelled = await loadPool(path.join(cropDir, 'labelled'));
  const unlabelled = await loadPool(path.join(cropDir, 'unlabelled'));
  return {
    size: options.cropSize,
    labelled: labelled.batch,
    labels: Int32Array.from(labelled.index.entries, (e) => e.label ?? -1),
    split: labelled.index.entries.map((e) => e.split ?? 'train'),
    boxIds: labelled.index.entries.map((e) => e.boxId),
    unlabelled: unlabelled.batch,
  };
}

// ---------------------------------------------------------------------------------------------------
// SwAV, built from SwavParams exactly as activities/stages/pretrain.ts builds it.

export interface SwavRun {
  backbone: LayersModel;
  seconds: number;
  /** User + system CPU time of this process during training (≈ wall time on an idle machine for 1 thread). */
  cpuSeconds: number;
  steps: number;
  images: number;
  imagesPerSecond: number;
  epochLosses: number[];
  /** Per-epoch loss and collapse statistics (k-NN accuracy when `onEpoch` recorded it). */
  history: EpochStats[];
  lnK: number;
  /** The settings trained with (`auto` values resolved as the pretrain stage resolves them). */
  settings: ResolvedSwavSettings;
  auto: Record<string, number | [number, number]>;
  /** The pretrain stage's collapse gate over the whole run (patience from the settings). */
  collapsed: boolean;
}

export async function pretrainSwav(
  unlabelled: ImageBatch,
  input: SwavSettings,
  options: {
    /** Called after every epoch; a returned number is recorded as that epoch's k-NN accuracy. */
    onEpoch?: (epoch: number, loss: number, backbone: LayersModel) => Promise<number | undefined>;
    log?: (line: string) => void;
  } = {},
): Promise<SwavRun> {
  const data = swavTrainingImages(unlabelled, input);
  const params = resolveSwavSettings(input, { cropSize: unlabelled.h, images: data.n });
  const auto = resolvedAutoValues(input, params);
  options.log?.(`  swav auto settings: ${JSON.stringify(auto)}`);
  const stepsPerEpoch = Math.floor(data.n / params.batchSize);
  const backbone = buildBackbone(params.arch);
  const trainer = new SwavTrainer(backbone, swavTrainerConfig(params, stepsPerEpoch));
  let seconds = 0;
  let cpuSeconds = 0;
  while (trainer.epoch < params.epochs) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const epoch = trainer.trainEpoch(data);
    seconds += (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    cpuSeconds += (c.user + c.system) / 1e6;
    options.log?.(
      `  swav epoch ${trainer.epoch}/${params.epochs}: loss ${epoch.loss.toFixed(3)} (ln K ${Math.log(params.prototypes).toFixed(3)}), ` +
        `entropy ${epoch.predictionEntropy.toFixed(3)}·ln K, spread ${epoch.featureSpread.toFixed(3)}, usage ${epoch.prototypeUsage.toFixed(2)}, ${seconds.toFixed(0)} s`,
    );
    const knn = await options.onEpoch?.(trainer.epoch, epoch.loss, backbone);
    if (typeof knn === 'number') trainer.recordKnnAccuracy(knn);
  }
  const steps = trainer.iteration;
  const epochLosses = [...trainer.epochLosses];
  const history = structuredClone([...trainer.history]);
  const collapsed = history.some(
    (_, i) =>
      detectCollapse(history.slice(0, i + 1), params.prototypes, { patience: params.collapsePatience })
        .collapsed,
  );
  trainer.dispose();
  return {
    backbone,
    seconds,
    cpuSeconds,
    steps,
    images: data.n,
    imagesPerSecond: (steps * params.batchSize) / Math.max(seconds, 1e-3),
    epochLosses,
    history,
    lnK: Math.log(params.prototypes),
    settings: params,
    auto,
    collapsed,
  };
}

// ---------------------------------------------------------------------------------------------------
// Frozen-feature evaluation: kNN and the linear head at each label fraction.

export const BENCH_HEAD: HeadSettings = {};

export interface FeatureScores {
  /** kNN (k = 20, cosine): labelled train split -> labelled test split. */
  knn: number;
  /** kNN (k = 20, cosine) cross-validated over the whole labelled pool (5 folds): every crop predicted once. */
  knnCv: number;
  /** Linear-head test accuracy per label fraction (%), averaged over `sampleSeeds`. */
  head: Record<string, number>;
  /** Per sample seed. */
  headPerSeed: Record<string, number[]>;
  featureSeconds: number;
}

function rows(features: Float32Array, dim: number, idx: readonly number[]): Float32Array {
  const out = new Float32Array(idx.length * dim);
  idx.forEach((r, i) => {
    out.set(features.subarray(r * dim, (r + 1) * dim), i * dim);
  });
  return out;
}

export async function scoreBackbone(
  backbone: LayersModel,
  data: CropData,
  options: { fractions: readonly number[]; sampleSeeds: readonly number[]; head?: HeadSettings; k?: number },
): Promise<FeatureScores> {
  const t0 = performance.now();
  const l = data.labelled;
  const features = await extractFeatures(backbone, l.pixels, l.n, l.h, l.w, l.c, 128);
  const featureSeconds = (performance.now() - t0) / 1000;
  const dim = features.length / l.n;
  const train: number[] = [];
  const test: number[] = [];
  data.split.forEach((s, i) => {
    (s === 'test' ? test : train).push(i);
  });
  const testX = rows(features, dim, test);
  const testY = Int32Array.from(test, (i) => data.labels[i] ?? 0);
  const classes = Math.max(...data.labels) + 1;
  const knn = knnAccuracy({
    trainFeatures: rows(features, dim, train),
    trainLabels: Int32Array.from(train, (i) => data.labels[i] ?? 0),
    testFeatures: testX,
    testLabels: testY,
    dim,
    classes,
    k: options.k ?? 20,
  }).accuracy;
  const knnCv = crossValidatedKnn({ features, labels: data.labels, dim, classes, k: options.k ?? 20 });
  const headPerSeed: Record<string, number[]> = {};
  for (const seed of options.sampleSeeds) {
    const candidates = train.map((i) => ({ id: String(i), label: data.labels[i] ?? 0 }));
    const samples = nestedStratifiedSample(candidates, options.fractions, seed);
    for (const f of options.fractions) {
      const idx = (samples[String(f)] ?? []).map(Number);
      // Without `head`: the library's own protocol (ml/head), exactly as the head stage calls it.
      const fit = trainLinearHead({
        features: rows(features, dim, idx),
        dim,
        labels: Int32Array.from(idx, (i) => data.labels[i] ?? 0),
        classes,
        seed,
        ...(options.head ? { settings: options.head } : {}),
      });
      const acc = accuracy(testY, predictHead(fit.head, testX).labels);
      const accs = headPerSeed[String(f)] ?? [];
      accs.push(acc);
      headPerSeed[String(f)] = accs;
    }
  }
  const head = Object.fromEntries(
    Object.entries(headPerSeed).map(([f, accs]) => [f, accs.reduce((a, b) => a + b, 0) / accs.length]),
  );
  return { knn, knnCv, head, headPerSeed, featureSeconds };
}

// ---------------------------------------------------------------------------------------------------
// CLI

const list = (s: string) => s.split(',').map((x) => Number(x.trim()));
/** A number, or `auto` (the pretrain stage's scale-aware default). */
const autoNumber = (s: string) => (s === 'auto' ? ('auto' as const) : Number(s));

const FLAGS = {
  dir: { type: 'string' },
  images: { type: 'string', default: '100' },
  'shelf-seed': { type: 'string', default: '1' },
  'label-share': { type: 'string', default: '0.3' },
  'crop-size': { type: 'string', default: '32' },
  widths: { type: 'string', default: '16,32,64,128' },
  blocks: { type: 'string', default: '1,1,1,1' },
  'arch-seed': { type: 'string', default: '0' },
  'swav-seeds': { type: 'string', default: '1' },
  epochs: { type: 'string', default: 'auto' },
  batch: { type: 'string', default: '64' },
  prototypes: { type: 'string', default: 'auto' },
  'proj-hidden': { type: 'string', default: '256' },
  'proj-out': { type: 'string', default: '64' },
  'global-crop': { type: 'string', default: 'auto' },
  'local-crop': { type: 'string', default: 'auto' },
  'local-count': { type: 'string', default: 'auto' },
  lr: { type: 'string', default: '0.3' },
  warmup: { type: 'string', default: '1' },
  epsilon: { type: 'string', default: '0.05' },
  temperature: { type: 'string', default: '0.1' },
  freeze: { type: 'string', default: '20' },
  queue: { type: 'string', default: 'auto' },
  'queue-start': { type: 'string', default: 'auto' },
  'max-images': { type: 'string', default: '0' },
  'jitter-scale': { type: 'string' },
  gray: { type: 'string' },
  blur: { type: 'string' },
  'global-scale': { type: 'string' },
  'local-scale': { type: 'string' },
  fractions: { type: 'string', default: '10,100' },
  'sample-seeds': { type: 'string', default: '1,2,3' },
  'eval-every-epoch': { type: 'boolean', default: false },
  backend: { type: 'string', default: 'tensorflow' },
  'random-only': { type: 'boolean', default: false },
  'head-l2': { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

const pair = (s: string | undefined): [number, number] | undefined => {
  if (s === undefined) return undefined;
  const [a, b] = list(s);
  return [a ?? 0, b ?? 1];
};

function fmtScores(s: FeatureScores): string {
  const heads = Object.entries(s.head)
    .map(
      ([f, a]) =>
        `head@${f}% ${(a * 100).toFixed(1)} [${(s.headPerSeed[f] ?? []).map((x) => (x * 100).toFixed(1)).join(' ')}]`,
    )
    .join('  ');
  return `kNN ${(s.knn * 100).toFixed(1)}  kNN-cv ${(s.knnCv * 100).toFixed(1)}  ${heads}`;
}

async function main(): Promise<void> {
  const { values: v } = parseArgs({ options: FLAGS, strict: true });
  if (v.help) {
    console.log(
      `usage: node dist/bench/swav-vs-random.js [--flag value ...]\nflags: ${Object.keys(FLAGS)
        .map((f) => `--${f}`)
        .join(' ')}`,
    );
    return;
  }
  const prefer = z.enum(['tensorflow', 'wasm', 'cpu']).parse(v.backend);
  const info: BackendInfo = await initBackend({ prefer, log: () => {} });
  const cropSize = Number(v['crop-size']);
  const shelves: Omit<MakeShelvesOptions, 'out'> = {
    images: Number(v.images),
    seed: Number(v['shelf-seed']),
    labelShare: Number(v['label-share']),
  };
  const dir =
    v.dir ??
    path.join(os.tmpdir(), `shelfssl-swav-bench-${shelves.images}-${shelves.seed}-${shelves.labelShare}`);
  await mkdir(dir, { recursive: true });
  const log = (line: string) => console.log(line);
  const data = await prepareDataset({ dir, shelves, cropSize, log });
  const nTest = data.split.filter((s) => s === 'test').length;
  const arch = {
    kind: 'small-resnet' as const,
    inputSize: cropSize,
    widths: list(v.widths),
    blocksPerStage: list(v.blocks),
    seed: Number(v['arch-seed']),
  };
  const aug: Partial<SwavSettings> = {
    ...(v['jitter-scale'] !== undefined ? { colorJitter: Number(v['jitter-scale']) } : {}),
    ...(v.gray !== undefined ? { grayscaleProbability: Number(v.gray) } : {}),
    ...(v.blur !== undefined ? { blurProbability: Number(v.blur) } : {}),
    ...(v['global-scale'] !== undefined ? { globalScale: pair(v['global-scale']) } : {}),
    ...(v['local-scale'] !== undefined ? { localScale: pair(v['local-scale']) } : {}),
  };
  const head: HeadSettings = v['head-l2'] !== undefined ? { l2Grid: list(v['head-l2']) } : BENCH_HEAD;
  const fractions = list(v.fractions);
  const sampleSeeds = list(v['sample-seeds']);
  console.log(
    `backend ${info.name} (${info.threads} thr) | load ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(
        ' ',
      )} | labelled ${data.labelled.n} (test ${nTest}) unlabelled ${data.unlabelled.n} | arch ${JSON.stringify(arch)} | aug ${JSON.stringify(aug)} | head ${JSON.stringify(head)}`,
  );
  if (v['epochs'] === '0') return;
  const random = buildBackbone(arch);
  const randomScores = await scoreBackbone(random, data, { fractions, sampleSeeds, head });
  random.dispose();
  console.log(`random-init   ${fmtScores(randomScores)}`);
  if (v['random-only']) return;
  const results: Array<Record<string, unknown>> = [];
  for (const swavSeed of list(v['swav-seeds'])) {
    const params = SwavParams.parse({
      arch,
      seed: swavSeed,
      epochs: autoNumber(v.epochs),
      batchSize: Number(v.batch),
      prototypes: autoNumber(v.prototypes),
      projHidden: Number(v['proj-hidden']),
      projOut: Number(v['proj-out']),
      globalCrop: autoNumber(v['global-crop']),
      localCrop: autoNumber(v['local-crop']),
      localCount: autoNumber(v['local-count']),
      lr: Number(v.lr),
      warmupEpochs: Number(v.warmup),
      epsilon: Number(v.epsilon),
      temperature: Number(v.temperature),
      freezePrototypesSteps: Number(v.freeze),
      queueLength: autoNumber(v.queue),
      queueStartEpoch: autoNumber(v['queue-start']),
      maxImages: Number(v['max-images']),
      ...aug,
    } satisfies SwavSettingsInput);
    const loadBefore = os.loadavg()[0] ?? 0;
    const run = await pretrainSwav(data.unlabelled, params, {
      log,
      onEpoch: v['eval-every-epoch']
        ? async (epoch, _loss, backbone) => {
            if (epoch === params.epochs) return undefined;
            const s = await scoreBackbone(backbone, data, { fractions: [10], sampleSeeds, head });
            console.log(`  after epoch ${epoch}: ${fmtScores(s)}`);
            return s.knnCv;
          }
        : undefined,
    });
    const scores = await scoreBackbone(run.backbone, data, { fractions, sampleSeeds, head });
    run.backbone.dispose();
    console.log(
      `swav seed ${swavSeed}  ${fmtScores(scores)} | ${run.steps} steps on ${run.images} imgs in ${run.seconds.toFixed(0)} s (cpu ${run.cpuSeconds.toFixed(0)} s) = ${run.imagesPerSecond.toFixed(1)} img/s | losses ${run.epochLosses.map((x) => x.toFixed(2)).join(' ')} (ln K ${run.lnK.toFixed(2)})${run.collapsed ? ' COLLAPSED' : ''} | load ${loadBefore.toFixed(2)}→${(os.loadavg()[0] ?? 0).toFixed(2)}`,
    );
    const d10 = (scores.head['10'] ?? 0) - (randomScores.head['10'] ?? 0);
    console.log(
      `  Δ vs random: kNN ${((scores.knn - randomScores.knn) * 100).toFixed(1)} pts, kNN-cv ${((scores.knnCv - randomScores.knnCv) * 100).toFixed(1)} pts, head@10% ${(d10 * 100).toFixed(1)} pts`,
    );
    results.push({
      swavSeed,
      scores,
      seconds: run.seconds,
      imagesPerSecond: run.imagesPerSecond,
      losses: run.epochLosses,
    });
  }
  if (v.json) console.log(JSON.stringify({ random: randomScores, swav: results }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
