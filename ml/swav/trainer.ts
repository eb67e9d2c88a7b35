import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createRng, permutation, type ResumableRng, type RngState, restoreRng } from '../random.js';
import type { CollapseRecovery } from './collapse.js';
import {
  addStep,
  type EpochStats,
  type EpochStatsSums,
  emptySums,
  epochStatsOf,
  type StepStats,
  stepStats,
} from './epoch-stats.js';
import { swavLoss } from './loss.js';
import { createSwavModel, PROTOTYPE_WEIGHT_KEY, type SwavModel, type SwavModelConfig } from './model.js';
import { type MultiCropConfig, multiCropBatch } from './multicrop.js';
import { EmbeddingQueue, type EmbeddingQueueState } from './queue.js';
import { type LrSchedule, lrAt } from './schedule.js';
import { MomentumSgd } from './sgd.js';
import { sinkhornKnopp } from './sinkhorn.js';
import { assignSnapshot, snapshotOf, type TensorSnapshot } from './snapshot.js';

/** Every setting of a SwAV run, fully resolved (build it from SwavParams with `swavTrainerConfig`). */
export interface SwavTrainerConfig {
  model: SwavModelConfig;
  crops: MultiCropConfig;
  schedule: LrSchedule;
  /** Images per step; an epoch is floor(n / batchSize) steps (the last partial batch is dropped). */
  batchSize: number;
  /** Seeds augmentation draws and epoch shuffles. */
  seed: number;
  momentum: number;
  weightDecay: number;
  epsilon: number;
  sinkhornIterations: number;
  temperature: number;
  /** Steps during which the prototypes get no update at all (SwAV: about one epoch). */
  freezePrototypesIterations: number;
  /** Feature queue: `length` embeddings per global crop, switched on at `startEpoch`; null = none. */
  queue: { length: number; startEpoch: number } | null;
}

/** Position inside a partly trained epoch, so a checkpoint taken mid-epoch resumes the same batches. */
export interface EpochCursor {
  order: number[];
  next: number;
  sums: EpochStatsSums;
}

export const SWAV_STATE_FORMAT = 'shelfssl.swav-trainer/3';

/** Everything needed to continue training exactly where it stopped (all plain data and Float32Arrays). */
export interface SwavTrainerState {
  format: typeof SWAV_STATE_FORMAT;
  config: SwavTrainerConfig;
  weights: Record<string, TensorSnapshot>;
  momentum: Record<string, TensorSnapshot>;
  queue: EmbeddingQueueState | null;
  iteration: number;
  epoch: number;
  rng: RngState;
  cursor: EpochCursor | null;
  /** One entry per completed epoch (loss and the collapse gate's statistics). */
  history: EpochStats[];
  /** Collapse retries this run went through (the pretrain stage allows one). */
  recoveries: CollapseRecovery[];
  /** The k-NN monitor's accuracy before the first step (the untrained backbone), when monitored. */
  knnAtInit: number | null;
}

/** Raw uint8 NHWC images in [0, 255]. */
export interface ImageBatch {
  pixels: Uint8Array;
  n: number;
  h: number;
  w: number;
  c: number;
}

export interface StepResult {
  loss: number;
  lr: number;
  /** Steps trained so far, this one included. */
  iteration: number;
  /** The epoch's statistics when this step was its last, else null. */
  epochEnded: EpochStats | null;
}

function detach(t: tf.Tensor2D): tf.Tensor2D {
  return tf.tensor2d(t.dataSync() as Float32Array, t.shape);
}

function pixelsTensor({ pixels, n, h, w, c }: ImageBatch): tf.Tensor4D {
  if (pixels.length !== n * h * w * c)
    throw new Error(`pixels: ${pixels.length} values for ${n}×${h}×${w}×${c}`);
  return tf.tensor4d(Float32Array.from(pixels), [n, h, w, c]);
}

function gatherImages(data: ImageBatch, indices: readonly number[]): ImageBatch {
  const size = data.h * data.w * data.c;
  const pixels = new Uint8Array(indices.length * size);
  indices.forEach((idx, i) => {
    pixels.set(data.pixels.subarray(idx * size, (idx + 1) * size), i * size);
  });
  return { ...data, pixels, n: indices.length };
}

/**
 * SwAV pre-training of a backbone (tfjs-layers model, NHWC in, [batch, dim] out), organised like
 * main_swav.py: `trainEpoch` is its epoch loop, `trainStep` one iteration of `train()` (lr schedule,
 * normalised prototypes, multi-crop, embed, Sinkhorn codes with the queue, swapped loss, SGD step with the
 * prototypes frozen early). The backbone's weights, batch-norm statistics included, are trained in place;
 * `getState()`/`SwavTrainer.restore()` checkpoint it, also mid-epoch.
 */
export class SwavTrainer {
  readonly model: SwavModel;
  private readonly optimizer: MomentumSgd;
  private rng: ResumableRng;
  private queue: EmbeddingQueue | null = null;
  private cursor: EpochCursor | null = null;
  private epochHistory: EpochStats[] = [];
  private recoveryLog: CollapseRecovery[] = [];
  private initialKnn: number | null = null;
  private iterationCount = 0;
  private epochCount = 0;

  constructor(
    backbone: LayersModel,
    readonly config: SwavTrainerConfig,
  ) {
    this.model = createSwavModel(backbone, config.model);
    this.optimizer = new MomentumSgd(config.momentum, config.weightDecay);
    this.rng = createRng(config.seed);
  }

  /** Rebuilds a trainer around a freshly built backbone of the same architecture and loads `state`. */
  static restore(state: SwavTrainerState, backbone: LayersModel): SwavTrainer {
    if (state.format !== SWAV_STATE_FORMAT) throw new Error(`unknown SwAV state format ${state.format}`);
    const trainer = new SwavTrainer(backbone, state.config);
    trainer.load(state);
    return trainer;
  }

  /**
   * Continues from an earlier (healthy) state with a changed config after the collapse gate fired; the
   * schedule is the config's, so the run still ends at the planned step. `recovery` joins the state.
   */
  static retryAfterCollapse(
    healthy: SwavTrainerState,
    backbone: LayersModel,
    config: SwavTrainerConfig,
    recovery: CollapseRecovery,
  ): SwavTrainer {
    return SwavTrainer.restore(
      { ...healthy, config, recoveries: [...healthy.recoveries, recovery] },
      backbone,
    );
  }

  get iteration(): number {
    return this.iterationCount;
  }

  get epoch(): number {
    return this.epochCount;
  }

  /** Mean loss of every completed epoch. */
  get epochLosses(): number[] {
    return this.epochHistory.map((e) => e.loss);
  }

  /** Statistics of every completed epoch, for `detectCollapse`. */
  get history(): readonly EpochStats[] {
    return this.epochHistory;
  }

  get recoveries(): readonly CollapseRecovery[] {
    return this.recoveryLog;
  }

  /** Steps trained and then thrown away by collapse retries (so checkpoint labels keep increasing). */
  get stepsAbandoned(): number {
    return this.recoveryLog.reduce((sum, r) => sum + r.detectedAtStep - r.restartedFromStep, 0);
  }

  /** Between epochs (no partly trained epoch pending). */
  get atEpochBoundary(): boolean {
    return this.cursor === null;
  }

  get knnAtInit(): number | null {
    return this.initialKnn;
  }

  /**
   * Attaches the k-NN monitor's accuracy to the latest completed epoch, or before any step to the initial
   * weights (part of the state from then on).
   */
  recordKnnAccuracy(accuracy: number): void {
    const last = this.epochHistory.at(-1);
    if (last) last.knnAccuracy = accuracy;
    else if (this.iterationCount === 0) this.initialKnn = accuracy;
    else throw new Error('recordKnnAccuracy: mid-way through the first epoch');
  }

  /** Trains the rest of the current epoch (all of a new one) and returns its statistics. */
  trainEpoch(data: ImageBatch): EpochStats {
    for (;;) {
      const { epochEnded } = this.trainStep(data);
      if (epochEnded) return epochEnded;
    }
  }

  /**
   * One iteration of main_swav.py's `train()` on the epoch's next batch. An epoch starts with a seeded
   * shuffle and uses full batches only (SwAV's drop_last); after its last batch the epoch's statistics
   * join `history`. The position inside the epoch is part of `getState()`.
   */
  trainStep(data: ImageBatch): StepResult {
    const { batchSize } = this.config;
    const cursor = this.cursor ?? this.startEpoch(data);
    const batch = gatherImages(data, cursor.order.slice(cursor.next, cursor.next + batchSize));
    const { loss, lr, stats } = this.optimiseOn(batch);
    cursor.next += batchSize;
    addStep(cursor.sums, loss, stats);
    const last = cursor.next + batchSize > cursor.order.length;
    return { loss, lr, iteration: this.iterationCount, epochEnded: last ? this.endEpoch(cursor) : null };
  }

  getState(): SwavTrainerState {
    const weights: Record<string, TensorSnapshot> = {};
    for (const w of this.model.weights) weights[w.key] = snapshotOf(w.variable);
    return {
      format: SWAV_STATE_FORMAT,
      config: structuredClone(this.config),
      weights,
      momentum: this.optimizer.getState(),
      queue: this.queue?.getState() ?? null,
      iteration: this.iterationCount,
      epoch: this.epochCount,
      rng: this.rng.state(),
      cursor: this.cursor ? structuredClone(this.cursor) : null,
      history: structuredClone(this.epochHistory),
      recoveries: structuredClone(this.recoveryLog),
      knnAtInit: this.initialKnn,
    };
  }

  /** Frees the projection head, prototypes and optimiser buffers (the backbone belongs to the caller). */
  dispose(): void {
    this.model.dispose();
    this.optimizer.dispose();
  }

  private startEpoch(data: ImageBatch): EpochCursor {
    const { batchSize } = this.config;
    if (data.n < batchSize) throw new Error(`dataset of ${data.n} images < batch ${batchSize}`);
    this.cursor = {
      order: permutation(data.n, this.rng),
      next: 0,
      sums: emptySums(this.model.prototypeCount),
    };
    return this.cursor;
  }

  private endEpoch(cursor: EpochCursor): EpochStats {
    const stats = epochStatsOf(this.epochCount + 1, cursor.sums);
    this.epochHistory.push(stats);
    this.cursor = null;
    this.epochCount++;
    return stats;
  }

  /** One optimiser step on a batch: the body of main_swav.py's training loop. */
  private optimiseOn(batch: ImageBatch): { loss: number; lr: number; stats: StepStats } {
    const lr = lrAt(this.iterationCount, this.config.schedule);
    this.model.normalizePrototypes();
    const images = pixelsTensor(batch);
    const views = multiCropBatch(images, this.config.crops, this.rng);
    images.dispose();
    const frozen = this.iterationCount < this.config.freezePrototypesIterations;
    const trainable = this.model.weights.filter(
      (w) => w.trainable && !(frozen && w.key === PROTOTYPE_WEIGHT_KEY),
    );
    this.activateQueue();
    let loss = 0;
    let stats: StepStats | undefined;
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => {
          const out = this.lossOf(views, batch.n);
          stats = out.stats;
          return out.loss;
        },
        trainable.map((w) => w.variable),
      );
      loss = value.dataSync()[0] ?? Number.NaN;
      const updates = trainable.flatMap((w) => {
        const grad = grads[w.variable.name];
        return grad ? [{ key: w.key, variable: w.variable, grad }] : [];
      });
      this.optimizer.apply(updates, lr);
    });
    for (const v of views) v.dispose();
    this.iterationCount++;
    if (!stats) throw new Error('SwAV step computed no statistics');
    return { loss, lr, stats };
  }

  private load(state: SwavTrainerState): void {
    for (const w of this.model.weights) {
      const snap = state.weights[w.key];
      if (!snap) throw new Error(`state lacks weight ${w.key}`);
      assignSnapshot(w.variable, snap, w.key);
    }
    this.optimizer.setState(state.momentum);
    this.queue = state.queue ? EmbeddingQueue.fromState(state.queue) : null;
    this.iterationCount = state.iteration;
    this.epochCount = state.epoch;
    this.rng = restoreRng(state.rng);
    this.cursor = state.cursor ? structuredClone(state.cursor) : null;
    this.epochHistory = structuredClone(state.history);
    this.recoveryLog = structuredClone(state.recoveries);
    this.initialKnn = state.knnAtInit;
  }

  private activateQueue(): void {
    const q = this.config.queue;
    if (!q || q.length <= 0 || this.queue || this.epochCount < q.startEpoch) return;
    this.queue = EmbeddingQueue.empty(this.config.crops.global.count, q.length, this.model.projOut);
  }

  /**
   * Forward pass, codes for the global crops (detached), and the swapped-prediction loss; plus the collapse
   * gate's statistics, computed from the global crops' scores and embeddings that are read back anyway.
   */
  private lossOf(views: readonly tf.Tensor4D[], batch: number): { loss: tf.Scalar; stats: StepStats } {
    const embeddings = this.model.embed(views);
    const scores = tf.split(this.model.score(embeddings), views.length, 0) as tf.Tensor2D[];
    const globals = this.config.crops.global.count;
    const embeddingRows = tf.slice(embeddings, [0, 0], [globals * batch, this.model.projOut]).dataSync();
    const prototypes = detach(this.model.prototypes as unknown as tf.Tensor2D);
    const codes: tf.Tensor2D[] = [];
    const globalScores: Float32Array[] = [];
    const globalEmbeddings: Float32Array[] = [];
    const { temperature } = this.config;
    for (let i = 0; i < globals; i++) {
      const cropScores = detach(scores[i] as tf.Tensor2D);
      globalScores.push(cropScores.dataSync() as Float32Array);
      codes.push(this.codesFor(i, cropScores, prototypes));
      const rowWidth = batch * this.model.projOut;
      const rows = Float32Array.from(embeddingRows.subarray(i * rowWidth, (i + 1) * rowWidth));
      globalEmbeddings.push(rows);
      this.queue?.push(i, Float32Array.from(rows));
    }
    const k = this.model.prototypeCount;
    const stats = stepStats(globalScores, globalEmbeddings, k, this.model.projOut, temperature);
    return { loss: swavLoss(scores, codes, temperature), stats };
  }

  private codesFor(crop: number, scores: tf.Tensor2D, prototypes: tf.Tensor2D): tf.Tensor2D {
    const options = { epsilon: this.config.epsilon, iterations: this.config.sinkhornIterations };
    const queue = this.queue;
    if (!queue?.ready) return sinkhornKnopp(scores, options);
    queue.markUsed();
    const queued = tf.matMul(queue.embeddings(crop), prototypes, false, true);
    const q = sinkhornKnopp(tf.concat([queued, scores]) as tf.Tensor2D, options);
    return tf.slice(q, [queued.shape[0], 0], scores.shape);
  }
}
