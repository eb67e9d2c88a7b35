import { z } from 'zod';
import {
  PredictInputFileSchema,
  PredictSummaryFileSchema,
  ShardPredictionsFileSchema,
} from './artefacts/predict-files.js';
import type { DagNode, DagPlan } from './dag.js';
import { validateDag } from './dag.js';
import { type StageDef, stageNode } from './stage.js';
import { backboneStage, headStage, pretrainStage, superviseStage } from './stages.js';

/**
 * Applying a trained model to new shelf photos: its own small DAG, run by the `predictRun` workflow (not the
 * training pipeline). predict-input (volatile: re-read every run, content digests) -> one predict-shard per
 * slice of the images (cached: same pixels + same model = hit) -> predict-merge (CSV, shelf share, workbook).
 */

const location = z.string().min(1, 'a local folder of shelf photos or s3://bucket/prefix');
const Triple = z.tuple([z.number(), z.number(), z.number()]);

export const predictInputStage = {
  name: 'predict-input',
  description:
    'list new shelf photos, validate their boxes (SKU110K CSV layout) and stores, digest each image',
  codeVersion: 1,
  params: z.strictObject({
    images: location,
    /** The box CSV (local path or s3://bucket/key); null: `boxes.csv` beside the images. */
    boxes: z.string().min(1).nullable(),
    /** image,store CSV; null: `stores.csv` beside the images when there is one, else no stores. */
    stores: z.string().min(1).nullable(),
    maxBadShare: z.number().min(0).max(1).default(0.05),
    boxPolicy: z.enum(['clip', 'drop']).default('clip'),
  }),
  inputs: {},
  outputs: { 'input.json': PredictInputFileSchema },
  queue: 'cpu',
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
} satisfies StageDef;

export const predictShardStage = {
  name: 'predict-shard',
  description: "crop one slice of the images' boxes, extract features with the backbone, apply the head",
  codeVersion: 1,
  params: z.strictObject({
    /** This shard takes images i with i % shards == shard (images in name order). */
    shard: z.number().int().min(0),
    shards: z.number().int().min(1),
    cropSize: z.number().int().min(4).max(1024),
    padding: z.number().min(0).max(2),
    normalization: z.strictObject({ mean: Triple, std: Triple }),
    batchSize: z.number().int().min(1).default(64),
  }),
  inputs: {
    input: predictInputStage,
    backbone: [backboneStage, pretrainStage, superviseStage],
    head: headStage,
  },
  outputs: { 'predictions.json': ShardPredictionsFileSchema },
  queue: 'gpu',
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '2 minutes',
} satisfies StageDef;

export const predictMergeStage = {
  name: 'predict-merge',
  description: 'per-box CSV, per-image and per-store shelf share, and a workbook with a share-of-shelf chart',
  codeVersion: 1,
  params: z.strictObject({
    classes: z.array(z.string().min(1)).min(2),
    unknownBelow: z.number().min(0).max(1),
    title: z.string().min(1),
    model: z.strictObject({ runId: z.string(), config: z.string(), alias: z.string().nullable() }),
  }),
  /** `shard/<n>`: every shard, required (a failed shard skips the merge: no result that looks complete). */
  inputs: { input: predictInputStage, 'shard/*': predictShardStage },
  outputs: {
    'predictions.csv': 'binary',
    'shelf-share-images.csv': 'binary',
    'shelf-share-stores.csv': 'binary',
    'predictions.xlsx': 'binary',
    'summary.json': PredictSummaryFileSchema,
  },
  queue: 'cpu',
  startToCloseTimeout: '1 hour',
  heartbeatTimeout: '2 minutes',
} satisfies StageDef;

export const PREDICT_STAGES = [predictInputStage, predictShardStage, predictMergeStage] as const;

/** The artefacts a predict plan reads from outside it: the published model. */
export const PREDICT_MODEL_INPUTS = { backbone: 'model/backbone', head: 'model/head' } as const;

export interface PredictPlanOptions {
  images: string;
  boxes: string | null;
  stores: string | null;
  shards: number;
  cropSize: number;
  padding: number;
  normalization: { mean: [number, number, number]; std: [number, number, number] };
  classes: string[];
  unknownBelow: number;
  maxBadShare?: number;
  batchSize?: number;
  title: string;
  model: { runId: string; config: string; alias: string | null };
}

export const shardNodeId = (i: number) => `shard@${String(i).padStart(3, '0')}`;

export function expandPredictPlan(o: PredictPlanOptions): DagPlan {
  const input = stageNode(
    predictInputStage,
    'input',
    {
      images: o.images,
      boxes: o.boxes,
      stores: o.stores,
      ...(o.maxBadShare === undefined ? {} : { maxBadShare: o.maxBadShare }),
    },
    {},
  );
  const nodes: DagNode[] = [{ ...input, volatile: true }];
  const shardInputs: Record<string, string> = {};
  for (let shard = 0; shard < o.shards; shard++) {
    const id = shardNodeId(shard);
    nodes.push(
      stageNode(
        predictShardStage,
        id,
        {
          shard,
          shards: o.shards,
          cropSize: o.cropSize,
          padding: o.padding,
          normalization: o.normalization,
          ...(o.batchSize === undefined ? {} : { batchSize: o.batchSize }),
        },
        { input: 'input', ...PREDICT_MODEL_INPUTS },
      ),
    );
    shardInputs[`shard/${shard}`] = id;
  }
  nodes.push(
    stageNode(
      predictMergeStage,
      'merge',
      { classes: o.classes, unknownBelow: o.unknownBelow, title: o.title, model: o.model },
      { input: 'input', ...shardInputs },
    ),
  );
  validateDag(nodes, new Set(Object.values(PREDICT_MODEL_INPUTS)));
  return { pipeline: 'predict', nodes };
}
