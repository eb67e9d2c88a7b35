import type { SwavParams } from '../../pipelines/stages.js';

export type SwavSettings = ReturnType<typeof SwavParams.parse>;
/** SwAV settings with every `auto` replaced by its value for this crop size and unlabelled pool. */
export type ResolvedSwavSettings = { [K in keyof SwavSettings]: Exclude<SwavSettings[K], 'auto'> };

export interface SwavDataShape {
  /** Side of the (square) crops in pixels: the crop stage's `cropSize`. */
  cropSize: number;
  /** Unlabelled crops SwAV trains on (after `maxImages`). */
  images: number;
}

/**
 * The one place that says what an omitted (`auto`) SwAV setting becomes. The paper's recipe is for 224 px
 * ImageNet crops and 1.28 M images; shelf products are often 32–64 px and a few thousand crops, where the
 * same recipe leaves too little of a product in a view and too few images per prototype, and training
 * collapses. Each rule keeps the paper's value at its scale and shrinks with the data
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
