import { z } from 'zod';
import { BuiltBackboneSpec } from '../models/backbone-spec.js';
import { COLLAPSE_FIX_KEYS } from './collapse.js';

/**
 * Every SwAV setting with its default, in one place: the pretrain stage's params (pipelines/stages.ts uses
 * this schema) and the rules that derive the `auto` ones from the data. The ML code below takes the resolved
 * settings (`swavTrainerConfig`) and has no defaults of its own. Names follow main_swav.py's arguments where
 * it has one (`epsilon`, `sinkhornIterations`, `temperature`, `freezePrototypesSteps`, `queueLength`, ...).
 */

/** A setting derived from the crop size and the unlabelled pool unless given (`resolveSwavSettings`). */
const auto = <T extends z.ZodType>(value: T) => z.union([z.literal('auto'), value]).default('auto');
const scaleRange = z
  .tuple([z.number().gt(0).max(1), z.number().gt(0).max(1)])
  .refine(([lo, hi]) => lo <= hi, 'a scale range is [min, max] with min <= max, e.g. [0.4, 1]');

export const SwavParams = z.strictObject({
  arch: BuiltBackboneSpec,
  /** Seeds the projection head, the prototypes, augmentation draws and epoch shuffles. */
  seed: z.number().int().default(1),
  epochs: auto(z.number().int().min(1).max(10_000)),
  batchSize: z.number().int().min(2).max(8192).default(64),
  prototypes: auto(z.number().int().min(2).max(65_536)),
  /** Hidden width of the projection MLP (SwAV: 2048). */
  projHidden: z.number().int().min(8).max(16_384).default(256),
  /** Embedding width (SwAV: 128; 64 suits the small ResNets' 128–256-d features). */
  projOut: z.number().int().min(8).max(8192).default(64),
  globalCrop: auto(z.number().int().min(8).max(1024)),
  localCrop: auto(z.number().int().min(8).max(1024)),
  localCount: auto(z.number().int().min(0).max(32)),
  /** RandomResizedCrop area ranges (SwAV at 224 px: global [0.14, 1], local [0.05, 0.14]). */
  globalScale: auto(scaleRange),
  localScale: auto(scaleRange),
  /** Colour-jitter strength s: brightness/contrast/saturation 0.8·s, hue 0.2·s, applied with p = 0.8 (SwAV: 1). */
  colorJitter: auto(z.number().min(0)),
  grayscaleProbability: z.number().min(0).max(1).default(0.2),
  blurProbability: z.number().min(0).max(1).default(0.5),
  /** Base learning rate: linear warm-up from 0, then cosine to lr / 1000 at the last step. */
  lr: z.number().positive().default(0.3),
  warmupEpochs: z.number().min(0).default(1),
  /** SGD momentum and L2 weight decay (SwAV: LARS with momentum 0.9, weight decay 1e-6). */
  momentum: z.number().min(0).lt(1).default(0.9),
  weightDecay: z.number().min(0).default(1e-6),
  /** Sinkhorn entropy regularisation; smaller gives sharper codes (SwAV: 0.05; 0.03 if training collapses). */
  epsilon: z.number().positive().default(0.05),
  /** Sinkhorn's alternating normalisation rounds (SwAV: 3). */
  sinkhornIterations: z.number().int().min(1).max(1000).default(3),
  /** Softmax temperature of the swapped prediction (SwAV: 0.1). */
  temperature: z.number().positive().default(0.1),
  /** Steps during which the prototypes get no update at all (SwAV: about one epoch). */
  freezePrototypesSteps: z.number().int().min(0).max(10_000_000).default(20),
  queueLength: auto(z.number().int().min(0).max(1_000_000)),
  queueStartEpoch: auto(z.number().int().min(0).max(10_000)),
  /** Use at most this many crops (outside the held-out region) per epoch (0 = all). */
  maxImages: z.number().int().min(0).max(100_000_000).default(0),
  checkpointEverySteps: z.number().int().min(1).max(10_000_000).default(20),
  /** Epochs in a row that must look collapsed before the gate fires. */
  collapsePatience: z.number().int().min(1).max(10_000).default(3),
  /** When the gate fires, retry once from the last healthy epoch with `collapseRetryFixes` applied. */
  collapseRetry: z.boolean().default(true),
  collapseRetryFixes: z
    .array(z.enum(COLLAPSE_FIX_KEYS))
    .min(1, `name at least one of ${COLLAPSE_FIX_KEYS.join(', ')} (or set collapseRetry: false)`)
    .default(['epsilon', 'freezePrototypesSteps', 'globalScale', 'colorJitter']),
  /**
   * Labelled train crops (a fixed seeded subset) scored by k-NN after every epoch; 0 (default) turns the
   * monitor off. On, it makes pretraining read labels.csv, so every label change re-runs SwAV.
   */
  monitorCrops: z.number().int().min(0).max(100_000).default(0),
  monitorK: z.number().int().min(1).max(1000).default(20),
  /**
   * Warm start from an earlier backbone: `previous` (this node's backbone in the pipeline's last completed
   * run; a cold start when there is none), an alias (its current model's backbone) or `<stage>/<key>`.
   * The backbone's weights seed training; projection head and prototypes start fresh. Absent: cold start.
   */
  initFrom: z
    .string()
    .regex(
      /^(previous|[a-z][a-z0-9_-]{0,62}|[a-z][a-z0-9-]*\/[0-9a-f]{64})$/,
      'previous, an alias or <stage>/<key>',
    )
    .optional(),
  /** The schedule of a warm start (instead of epochs, lr, warmupEpochs): shorter, gentler. */
  warmStart: z
    .strictObject({
      epochs: z.number().int().min(1).max(10_000).default(3),
      lr: z.number().positive().default(0.05),
      warmupEpochs: z.number().min(0).default(0),
    })
    .optional(),
});

export type SwavSettings = z.output<typeof SwavParams>;
/** SwAV settings with every `auto` replaced by its value for this crop size and unlabelled pool. */
export type ResolvedSwavSettings = { [K in keyof SwavSettings]: Exclude<SwavSettings[K], 'auto'> };

export interface SwavDataShape {
  /** Side of the (square) crops in pixels: the crop stage's `cropSize`. */
  cropSize: number;
  /** Unlabelled crops SwAV trains on (after `maxImages`). */
  images: number;
}

/**
 * What an omitted (`auto`) SwAV setting becomes. The paper's recipe is for 224 px ImageNet crops and
 * 1.28 M images; shelf products are often 32–64 px and a few thousand crops, where the same recipe leaves
 * too little of a product in a view and too few images per prototype, and training collapses. Each rule
 * keeps the paper's value at its scale and shrinks with the data
 * (c = crop size in px, N = unlabelled crops, B = batch size):
 *
 * | setting | rule | 32 px, 5 k crops, B 64 | 224 px, 1.28 M, B 256 |
 * |---|---|---|---|
 * | globalCrop | c | 32 | 224 |
 * | globalScale | [(20 px / c)² rounded up to 0.05, within [0.14, 0.5], 1]: a global view keeps ≥ 20 × 20 source px where it can | [0.4, 1] | [0.14, 1] |
 * | localCrop | round(c · 96/224), SwAV's ratio | 14 | 96 |
 * | localCount | 0 when localCrop < 24 px (patches too small to show a product), 6 from c ≥ 160, else 2 | 0 | 6 |
 * | localScale | [0.05, 0.14] × globalScale[0] / 0.14: local views stay below the global ones | – | [0.05, 0.14] |
 * | colorJitter | clamp(c / 64, 0.5, 1): colour is most of what a small crop shows | 0.5 | 1 |
 * | prototypes | clamp(N / 150 rounded to a power of 2, 8, 3000), then ≤ (B + queueLength) / 2 | 32 | 3000 |
 * | queueLength | 0 when 2 K ≤ B, else the multiple of B that makes B + queue ≥ 2 K (≤ N / 4): Sinkhorn's equipartition needs ≥ 2 crops per prototype | 0 | 5,888 (SwAV: 3,840) |
 * | queueStartEpoch | ceil(warmupEpochs) | 1 | 1 |
 * | epochs | ceil(1,200 steps / steps per epoch), within [10, 200]: SwAV needs steps, not epochs | 15 | 10 |
 *
 * Explicit values are kept as given. Resolution is a pure function of the settings and the data shape,
 * so a resumed or re-run stage resolves the same values; they are recorded in the manifest and history.
 */
export function resolveSwavSettings(params: SwavSettings, data: SwavDataShape): ResolvedSwavSettings {
  const c = data.cropSize;
  const n = data.images;
  const b = params.batchSize;
  const globalCrop = pick(params.globalCrop, c);
  const globalScale = pick(params.globalScale, [autoGlobalMinScale(c), 1] as [number, number]);
  const localCrop = pick(params.localCrop, Math.max(8, Math.round((c * 96) / 224)));
  const localCount = pick(params.localCount, localCrop < 24 ? 0 : c >= 160 ? 6 : 2);
  const g = globalScale[0];
  const localScale = pick(params.localScale, [round2((0.05 * g) / 0.14), g] as [number, number]);
  const colorJitter = pick(params.colorJitter, Math.min(1, Math.max(0.5, c / 64)));
  const wanted = Math.min(3000, Math.max(8, nearestPowerOfTwo(n / 150)));
  const queueLength = pick(params.queueLength, autoQueueLength(wanted, b, n));
  const prototypes = pick(
    params.prototypes,
    Math.max(2, Math.min(wanted, Math.floor((b + queueLength) / 2))),
  );
  const queueStartEpoch = pick(params.queueStartEpoch, Math.ceil(params.warmupEpochs));
  const stepsPerEpoch = Math.max(1, Math.floor(n / b));
  const epochs = pick(params.epochs, Math.min(200, Math.max(10, Math.ceil(1200 / stepsPerEpoch))));
  return {
    ...params,
    epochs,
    prototypes,
    globalCrop,
    globalScale,
    localCrop,
    localCount,
    localScale,
    colorJitter,
    queueLength,
    queueStartEpoch,
  };
}

/** The settings that were `auto`, with what they resolved to (for logs, the manifest and history.json). */
export function resolvedAutoValues(
  params: SwavSettings,
  resolved: ResolvedSwavSettings,
): Record<string, number | [number, number]> {
  const out: Record<string, number | [number, number]> = {};
  for (const key of Object.keys(params) as Array<keyof SwavSettings>) {
    const value = resolved[key];
    if (params[key] === 'auto' && (typeof value === 'number' || Array.isArray(value)))
      out[key] = value as number | [number, number];
  }
  return out;
}

function pick<T>(given: T | 'auto', derived: T): T {
  return given === 'auto' ? derived : given;
}

/**
 * Smallest scale (a multiple of 0.05, at least SwAV's 0.14) whose crop keeps a 20 × 20 px source region;
 * at most 0.5, so crops under 28 px still get some crop augmentation.
 */
function autoGlobalMinScale(cropSize: number): number {
  const needed = (20 / cropSize) ** 2;
  return needed <= 0.14 ? 0.14 : Math.min(0.5, Math.ceil(needed * 20 - 1e-9) / 20);
}

function autoQueueLength(prototypes: number, batch: number, images: number): number {
  if (2 * prototypes <= batch) return 0;
  const wanted = Math.ceil((2 * prototypes - batch) / batch) * batch;
  return Math.min(wanted, Math.floor(images / 4 / batch) * batch);
}

function nearestPowerOfTwo(x: number): number {
  return 2 ** Math.round(Math.log2(Math.max(1, x)));
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
