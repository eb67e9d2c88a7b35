import type { HeadMode, ReportInput, ResultRow, SeedResult } from '../../report/model.js';

export const SAMPLE_CLASSES = ['t-shirt', 'pullover', 'dress', 'coat', 'shirt'];
const SUPPORT_PER_CLASS = 200;
const SEED_JITTER = [-0.01, 0, 0.01];

/** Mean accuracy per backbone × head × fraction, shaped like the paper's Table 2. */
const MEAN_ACCURACY: Record<string, Record<HeadMode, Record<number, number>>> = {
  'random-init': {
    supervised: { 10: 0.63, 50: 0.68, 100: 0.7 },
    'semi-supervised': { 10: 0.645, 50: 0.685, 100: 0.705 },
  },
  swav: {
    supervised: { 10: 0.712, 50: 0.76, 100: 0.78 },
    'semi-supervised': { 10: 0.735, 50: 0.77, 100: 0.79 },
  },
};

/** 2 backbones × 2 head modes × 3 fractions × 3 seeds, 5 classes. */
export function sampleReportInput(): ReportInput {
  return {
    runId: 'run-2026-11-27-a1b2c3',
    title: 'Shelf SKU classifier — label efficiency',
    generatedAt: '2026-11-27T06:00:00Z',
    weekLabel: '2026-W48',
    classNames: SAMPLE_CLASSES,
    results: sampleResults(),
    shelfShare: [
      {
        image: 'test_0.jpg',
        store: 'Store 12',
        counts: { 't-shirt': 12, pullover: 8, dress: 5, coat: 3, shirt: 2 },
      },
      {
        image: 'test_1.jpg',
        store: 'Store 12',
        counts: { 't-shirt': 6, pullover: 6, dress: 6, coat: 6, shirt: 6 },
      },
      { image: 'test_2.jpg', store: 'Store 40', counts: { 't-shirt': 2, pullover: 0, dress: 9, coat: 4 } },
    ],
    dataQuality: {
      ingest: { rows: 1208, goodBoxes: 1190, images: 30, bySplit: { train: 20, val: 4, test: 6 } },
      crops: { labelled: 480, unlabelled: 620, test: 90 },
      bad: {
        'zero-area box': { count: 11, examples: ['train_3.jpg:17', 'train_9.jpg:2'] },
        'box outside image': { count: 7, examples: ['val_1.jpg:40'] },
      },
    },
    lineage: [
      lineage('ingest', 'ingest/4f1c', 12_000, false),
      lineage('crop', 'crop/99ab', 45_500, true),
      lineage('pretrain', 'pretrain/swav/77de', 3_600_000, false),
    ],
  };
}

function sampleResults(): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const [backbone, byMode] of Object.entries(MEAN_ACCURACY)) {
    for (const [headMode, byFraction] of Object.entries(byMode) as [HeadMode, Record<number, number>][]) {
      for (const [fraction, accuracy] of Object.entries(byFraction)) {
        const fractionPct = Number(fraction);
        const seeds = SEED_JITTER.map((jitter, i) => sampleSeed(i + 1, accuracy + jitter, fractionPct));
        rows.push({ backbone, headMode, fractionPct, seeds });
      }
    }
  }
  return rows;
}

/** A seed whose confusion matrix and per-class metrics agree with its accuracy. */
function sampleSeed(seed: number, accuracy: number, fractionPct: number): SeedResult {
  const k = SAMPLE_CLASSES.length;
  const correct = Math.round(accuracy * SUPPORT_PER_CLASS);
  // Mistakes go to the next class, as look-alike garments are confused in pairs.
  const confusion = SAMPLE_CLASSES.map((_, t) =>
    SAMPLE_CLASSES.map((_, p) => (p === t ? correct : p === (t + 1) % k ? SUPPORT_PER_CLASS - correct : 0)),
  );
  const perClass = SAMPLE_CLASSES.map((cls) => {
    const recall = correct / SUPPORT_PER_CLASS;
    return { cls, precision: recall, recall, f1: recall, support: SUPPORT_PER_CLASS };
  });
  return {
    seed,
    accuracy,
    iterations: 100,
    trainMs: 2_000 + fractionPct * 300 + seed * 10,
    perClass,
    confusion,
  };
}

function lineage(
  stage: string,
  key: string,
  durationMs: number,
  cacheHit: boolean,
): ReportInput['lineage'][number] {
  return {
    stage,
    key,
    digest: `sha256:${key.length.toString(16).padStart(8, '0')}`,
    codeVersion: 'v0.1.0',
    paramsHash: `p-${stage}`,
    durationMs,
    cacheHit,
  };
}
