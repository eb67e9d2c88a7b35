import { z } from 'zod';
import {
  DEFAULT_MAX_IMAGE_PIXELS,
  DEFAULT_MAX_ROWS,
  MAX_IMAGE_PIXELS_LIMIT,
  MAX_ROWS_LIMIT,
} from '../data/sku110k/image-limits.js';
import { STRATEGIES } from '../ml/active/select.js';
import { HeadFitParams } from '../ml/head/params.js';
import { BuiltBackboneSpec } from '../ml/models/backbone-spec.js';
import { SwavParams } from '../ml/swav/params.js';
import { BackboneRoleSchema, ReportInputSchema } from '../report/model.js';
import { BoxListSchema, BoxTableSchema } from './artefacts/box-table-file.js';
import { CropReportFileSchema } from './artefacts/crop-report-file.js';
import { EvalMetricsFileSchema } from './artefacts/evaluate-metrics-file.js';
import { PredictionsFileSchema, ShelfCountsFileSchema } from './artefacts/evaluation-files.js';
import { FeatureIndexSchema } from './artefacts/feature-index-file.js';
import { FingerprintFileSchema } from './artefacts/fingerprint-file.js';
import { HeadFileSchema } from './artefacts/head-file.js';
import { HeadMode } from './artefacts/head-mode.js';
import { HeadTrainingFileSchema } from './artefacts/head-training-file.js';
import { IngestReportFileSchema } from './artefacts/ingest-report-file.js';
import { TfjsModelJsonSchema } from './artefacts/model-json-file.js';
import { PhotoPartitionsFileSchema } from './artefacts/photo-partitions-file.js';
import { SampleFileSchema } from './artefacts/sample-file.js';
import { SuggestionsFileSchema } from './artefacts/suggestions-file.js';
import type { StageDef } from './stage.js';

/**
 * Every stage of the paper pipeline, declared once: params (zod), inputs (from which stages), output files
 * (with their schemas), queue, timeouts. PAPER_STAGES (below) is the one list: the worker registers an
 * implementation for each (activities/stages/<name>.ts, checked at start-up) and the report's Lineage sheet
 * sorts by it. The DAG wiring is in pipelines/paper.ts.
 */

const location = z
  .string()
  .min(1, 'a local directory or s3://bucket/prefix holding images/ and annotations/');
const classes = z.array(z.string().regex(/^[a-z0-9_-]+$/i)).min(2);

export { HeadMode, SEMI, SUPERVISED } from './artefacts/head-mode.js';

export const snapshotStage = {
  name: 'snapshot',
  description: 'fingerprint the dataset (names, sizes, mtimes/etags) so unchanged data hits the cache',
  codeVersion: 1,
  params: z.strictObject({ location, labels: z.string().min(1) }),
  inputs: {},
  outputs: { 'fingerprint.json': FingerprintFileSchema },
  queue: 'cpu',
  startToCloseTimeout: '10 minutes',
} satisfies StageDef;

export const ingestStage = {
  name: 'ingest',
  description: 'validate SKU110K CSVs and images, match product labels, write the box table',
  codeVersion: 2,
  params: z.strictObject({
    location,
    labels: z.string().min(1),
    classes,
    maxBadShare: z.number().min(0).max(1).default(0.05),
    /** Share of label CSV rows that may be rejected (unknown class, no matching box, ...) before ingest fails. */
    maxBadLabelShare: z.number().min(0).max(1).default(0.05),
    boxPolicy: z.enum(['clip', 'drop']).default('clip'),
    iouThreshold: z.number().gt(0).max(1).default(0.5),
    /** Images above this many pixels are rejected before decoding (decode memory: 3 bytes a pixel). */
    maxImagePixels: z.number().int().min(1).max(MAX_IMAGE_PIXELS_LIMIT).default(DEFAULT_MAX_IMAGE_PIXELS),
    /** Annotation rows (all CSVs) beyond which ingest fails instead of exhausting the worker's memory. */
    maxRows: z.number().int().min(1).max(MAX_ROWS_LIMIT).default(DEFAULT_MAX_ROWS),
  }),
  /** Read for its key only: new data means a new snapshot digest, so ingest runs again. */
  inputs: { snapshot: snapshotStage },
  /** boxes.json: the header (classes, labels, count); boxes.ndjson: one box a line (data/sku110k/box-records.ts). */
  outputs: {
    'boxes.json': BoxTableSchema,
    'boxes.ndjson': 'binary',
    'ingest-report.json': IngestReportFileSchema,
  },
  queue: 'cpu',
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
} satisfies StageDef;

/**
 * The boxes without their labels: re-run (cheaply) whenever ingest is, it writes the same digest when only
 * labels.csv changed, so `crop` and everything label-blind below it stay cache hits.
 */
export const boxesStage = {
  name: 'boxes',
  description: 'the box table without labels, so crops, SwAV and features do not re-run when labels change',
  codeVersion: 2,
  params: z.strictObject({}),
  inputs: { ingest: ingestStage },
  outputs: { 'boxes.json': BoxListSchema, 'boxes.ndjson': 'binary' },
  queue: 'cpu',
  startToCloseTimeout: '10 minutes',
} satisfies StageDef;

const cropParams = {
  location,
  cropSize: z.number().int().min(8).max(512).default(32),
  padding: z.number().min(0).max(1).default(0),
  testShare: z.number().gt(0).lt(1).default(0.15),
  seed: z.number().int().default(7),
  shardSize: z.number().int().min(64).max(1_000_000).default(4096),
};

/** Which share of the photos a partition node takes: those whose name hashes to `part` of `parts`. */
const partParams = {
  part: z.number().int().min(0),
  parts: z.number().int().min(1).max(1024),
};

/**
 * One partition of the crop work (pipelines/paper.ts adds `parts` of them when the run config's `partitions`
 * is set): crops its photos into per-photo `crop-image` artefacts (content-addressed by the photo's sha256,
 * its boxes and the crop code), so the `crop` node that follows only assembles, and a photo cropped in any
 * earlier run or partition is never cropped again. Every worker of the cpu queue takes partitions.
 */
export const cropPartStage = {
  name: 'crop-part',
  description: "crop one partition of the photos into per-photo artefacts (the crop node's work, spread)",
  codeVersion: 1,
  params: z.strictObject({ ...cropParams, ...partParams }),
  inputs: { boxes: boxesStage },
  outputs: { 'images.json': PhotoPartitionsFileSchema },
  queue: 'cpu',
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
} satisfies StageDef;

export const cropStage = {
  name: 'crop',
  description:
    'decode each shelf once, cut every box, write uint8 NHWC .npy shards (label-blind, held-out marked)',
  codeVersion: 4,
  params: z.strictObject(cropParams),
  /** `part/*`: crop-part nodes that cropped the photos first (spread over workers); this node then assembles. */
  inputs: { boxes: boxesStage, 'part/*': cropPartStage },
  outputs: {
    /**
     * Every crop, labelled or not (pool `all`, data/crop/crop-all-boxes.ts): index.json (header),
     * index.ndjson (one entry a line) and uint8 shards are written and parsed by data/crop/index-format.ts.
     * It reads only boxes, never labels.
     */
    'all/index.json': 'binary',
    'all/index.ndjson': 'binary',
    'all/*.npy': 'npy',
    'crop-report.json': CropReportFileSchema,
    /** Per photo: its `crop-image` artefact (the partition its crops are cached in) and its rows in the pool. */
    'images.json': PhotoPartitionsFileSchema,
  },
  queue: 'cpu',
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
} satisfies StageDef;

export const backboneStage = {
  name: 'backbone',
  description: 'a random-init backbone (control) or an imported pretrained one, in TensorFlow.js format',
  codeVersion: 2,
  params: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('random'), arch: BuiltBackboneSpec }),
    z.strictObject({
      kind: z.literal('imported'),
      /** Local path or s3://bucket/key of a TensorFlow.js model.json (weights beside it). */
      model: z.string().min(1),
      inputSize: z.number().int().positive().max(1024),
      source: z.string().optional(),
    }),
  ]),
  inputs: {},
  /** A TensorFlow.js model as the tfjs saver writes it (bytes, read back by the tfjs loader). */
  outputs: { 'model.json': 'binary', 'weights.bin': 'binary' },
  queue: 'cpu',
  startToCloseTimeout: '30 minutes',
} satisfies StageDef;

/** SwAV pretraining; every setting, its default and the `auto` rules live in ml/swav/params.ts. */
export const pretrainStage = {
  name: 'pretrain',
  description:
    'SwAV self-supervised pretraining on every crop outside the held-out region; checkpoints and resumes',
  codeVersion: 4,
  params: SwavParams,
  /**
   * Label-blind: only the crops. `monitor/labels` (the ingest artefact) is wired only when `monitorCrops` > 0,
   * and then pretraining re-runs whenever labels.csv changes.
   */
  inputs: {
    crops: cropStage,
    'monitor/*': ingestStage,
    /** `swav.initFrom`: the backbone a warm start begins from (model.json + weights.bin), wired by the run. */
    'init/*': 'a backbone artefact (pretrain or backbone stage) to warm-start from',
  },
  outputs: { 'model.json': 'binary', 'weights.bin': 'binary', 'history.json': z.looseObject({}) },
  queue: 'gpu',
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '5 minutes',
  retry: { maximumAttempts: 20 },
} satisfies StageDef;

/** End-to-end supervised training of a built backbone (the stand-in for a supervised public ResNet). */
export const SuperviseParams = z.strictObject({
  arch: BuiltBackboneSpec,
  epochs: z.number().int().min(1).max(500).default(4),
  batchSize: z.number().int().min(2).max(4096).default(64),
  lr: z.number().gt(0).max(10).default(0.05),
  weightDecay: z.number().min(0).max(1).default(1e-4),
  seed: z.number().int().default(1),
});

export const superviseStage = {
  name: 'supervise',
  description:
    'a backbone trained end to end with labels (softmax, cross-entropy) on the labelled crops outside the test split',
  codeVersion: 1,
  params: SuperviseParams,
  /** The crops and the labels: unlike pretraining, this backbone re-trains whenever labels.csv changes. */
  inputs: { crops: cropStage, ingest: ingestStage },
  outputs: { 'model.json': 'binary', 'weights.bin': 'binary', 'history.json': z.looseObject({}) },
  queue: 'gpu',
  startToCloseTimeout: '12 hours',
  heartbeatTimeout: '5 minutes',
  retry: { maximumAttempts: 5 },
} satisfies StageDef;

const featuresParams = {
  batchSize: z.number().int().min(1).max(8192).default(64),
  shardRows: z.number().int().min(64).max(1_000_000).default(8192),
};

/**
 * One partition of the feature extraction: per-photo `feature-image` artefacts (keyed by the backbone, the
 * photo's crops and the features code) for the photos of partition `part`; every gpu-queue worker takes some.
 */
export const featuresPartStage = {
  name: 'features-part',
  description: 'extract the features of one partition of the photos into per-photo artefacts',
  codeVersion: 1,
  params: z.strictObject({ ...featuresParams, ...partParams }),
  inputs: { backbone: [backboneStage, pretrainStage, superviseStage], crops: cropStage },
  outputs: { 'images.json': PhotoPartitionsFileSchema },
  queue: 'gpu',
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '5 minutes',
  retry: { maximumAttempts: 20 },
} satisfies StageDef;

export const featuresStage = {
  name: 'features',
  description: 'one forward pass of the frozen backbone over every crop -> float32 .npy shards (label-blind)',
  codeVersion: 4,
  params: z.strictObject(featuresParams),
  inputs: {
    backbone: [backboneStage, pretrainStage, superviseStage],
    crops: cropStage,
    'part/*': featuresPartStage,
  },
  /** index.json: the header; index.ndjson: one entry a line (pipelines/artefacts/feature-index-file.ts). */
  outputs: { 'index.json': FeatureIndexSchema, 'index.ndjson': 'binary', 'all/*.npy': 'npy' },
  queue: 'gpu',
  startToCloseTimeout: '6 hours',
  heartbeatTimeout: '5 minutes',
  retry: { maximumAttempts: 20 },
} satisfies StageDef;

export const sampleStage = {
  name: 'sample',
  description: 'nested, stratified, seeded label samples (10 % inside 20 % ... inside 100 %)',
  codeVersion: 1,
  params: z.strictObject({
    fractions: z.array(z.number().gt(0).max(100)).min(1),
    seed: z.number().int(),
  }),
  /** Labels from ingest, the held-out region from the crops. */
  inputs: { crops: cropStage, ingest: ingestStage },
  outputs: { 'sample.json': SampleFileSchema },
  queue: 'cpu',
  startToCloseTimeout: '10 minutes',
} satisfies StageDef;

export const HeadParams = HeadFitParams.extend({
  mode: HeadMode,
  fraction: z.number().gt(0).max(100),
  seed: z.number().int(),
});

const headOutputs = {
  'head.json': HeadFileSchema,
  'model.json': TfjsModelJsonSchema,
  'weights.bin': 'binary',
  'training.json': HeadTrainingFileSchema,
} as const;

export const headStage = {
  name: 'head',
  description: "the paper's linear softmax head on cached features (supervised or pseudo-labelled)",
  codeVersion: 2,
  params: HeadParams,
  /**
   * `teacher`: a semi-supervised head's teacher, the supervised head of the same features, sample, fraction and
   * seed; its λ and weights are reused instead of being cross-validated again. Without it the stage fits its own.
   */
  inputs: {
    features: featuresStage,
    sample: sampleStage,
    ingest: ingestStage,
    'teacher*': { name: 'head', outputs: headOutputs },
  },
  outputs: headOutputs,
  queue: 'cpu',
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
} satisfies StageDef;

export const evaluateStage = {
  name: 'evaluate',
  description: 'accuracy, per-class P/R/F1, confusion and shelf counts on the fixed test split',
  codeVersion: 2,
  params: z.strictObject({
    backbone: z.string(),
    mode: HeadMode,
    fraction: z.number(),
    seed: z.number().int(),
  }),
  inputs: { head: headStage, features: featuresStage, ingest: ingestStage },
  outputs: {
    'metrics.json': EvalMetricsFileSchema,
    'predictions.json': PredictionsFileSchema,
    'shelf-counts.json': ShelfCountsFileSchema,
  },
  queue: 'cpu',
  startToCloseTimeout: '30 minutes',
} satisfies StageDef;

/** Which unlabelled crops to label next (`shelfssl suggest`): ranked by a head's uncertainty, kept diverse. */
export const suggestStage = {
  name: 'suggest',
  description:
    "the unlabelled crops most worth labelling next, by a head's uncertainty and feature diversity",
  codeVersion: 1,
  params: z.strictObject({
    /** The head node (its id in the plan), recorded in the suggestions. */
    head: z.string().min(1),
    strategy: z.enum(STRATEGIES).default('margin'),
    n: z.number().int().min(1).max(100_000).default(200),
    /** Uncertainty strategies take the shortlist × n most uncertain crops, then k-center greedy picks n. */
    shortlist: z.number().min(1).max(100).default(5),
    seed: z.number().int().default(1),
  }),
  inputs: { head: headStage, features: featuresStage, ingest: ingestStage, crops: cropStage },
  outputs: {
    'suggestions.json': SuggestionsFileSchema,
    'to-label.csv': 'binary',
    'contact-sheet.png': 'binary',
  },
  queue: 'cpu',
  startToCloseTimeout: '30 minutes',
} satisfies StageDef;

export const reportStage = {
  name: 'report',
  description: 'the Excel weekly report (Table 2, per class, confusion, shelf share, data quality, lineage)',
  codeVersion: 1,
  params: z.strictObject({
    title: z.string().min(1),
    classes,
    /** "auto": the run's workflow id / ISO week, filled in by the workflow (a report is per run). */
    runId: z.string().min(1),
    isoWeek: z.string().nullable(),
    /** Scheduled runs: the series their weeks are recorded in, for the "vs last week" sheet (the pipeline name). */
    series: z.string().min(1).nullable().default(null),
    /** Scheduled runs: promote the best configuration to `alias` when it beats the champion by `margin`. */
    champion: z
      .strictObject({ alias: z.string().regex(/^[a-z][a-z0-9_-]{0,62}$/), margin: z.number().min(-1).max(1) })
      .nullable()
      .default(null),
    /** The paper's roles of the backbones (pipelines/paper.ts backboneRoles): adds the Table 2 sheet. */
    backboneRoles: z.record(z.string(), BackboneRoleSchema).optional(),
  }),
  /** `eval/<node>`: one per evaluation of the run, optional (a failed branch leaves its evaluations out). */
  /** `suggest/<node>`: the run's annotation suggestions, when `shelfssl suggest` added a suggest node. */
  inputs: { ingest: ingestStage, crops: cropStage, 'eval/*': evaluateStage, 'suggest/*': suggestStage },
  outputs: { 'report.xlsx': 'binary', 'report-input.json': ReportInputSchema },
  queue: 'cpu',
  startToCloseTimeout: '30 minutes',
} satisfies StageDef;

export const PAPER_STAGES = [
  snapshotStage,
  ingestStage,
  boxesStage,
  cropPartStage,
  cropStage,
  backboneStage,
  pretrainStage,
  superviseStage,
  featuresPartStage,
  featuresStage,
  sampleStage,
  headStage,
  evaluateStage,
  suggestStage,
  reportStage,
] as const;
