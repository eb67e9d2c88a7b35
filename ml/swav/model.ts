import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { createRng, type Rng, uniformArray } from '../random.js';

export interface SwavModelConfig {
  /** Hidden width of the projection MLP (SwAV: 2048); 0 means a single linear projection. */
  projHidden: number;
  /** Embedding width (SwAV: 128). */
  projOut: number;
  /** Number of prototypes K (SwAV: 3000 on ImageNet; fewer on small data). */
  prototypes: number;
  /** Seeds the projection head and prototype initialisation (the backbone brings its own weights). */
  seed: number;
}

/** A variable with a name that is stable across rebuilds of the same architecture (tfjs names are not). */
export interface NamedWeight {
  key: string;
  variable: tf.Variable;
  trainable: boolean;
}

export interface SwavModel {
  readonly backbone: LayersModel;
  readonly featureDim: number;
  readonly projOut: number;
  readonly prototypeCount: number;
  /** Prototype matrix C, [K, projOut]. */
  readonly prototypes: tf.Variable;
  /** Every weight that defines the model, backbone batch-norm moving statistics included. */
  readonly weights: readonly NamedWeight[];
  /** L2-normalised embeddings of all views, in view order ([Σ N_v, projOut]); training-mode BN. */
  embed(views: readonly tf.Tensor4D[]): tf.Tensor2D;
  /** Prototype scores zCᵀ for given embeddings. */
  score(embeddings: tf.Tensor2D): tf.Tensor2D;
  /** SwAV re-projects the prototypes onto the unit sphere before every step. */
  normalizePrototypes(): void;
  dispose(): void;
}

const BN_EPSILON = 1e-5;
const PROTOTYPE_KEY = 'prototypes/kernel';

function backboneOutputDim(backbone: LayersModel): number {
  const shape = backbone.outputs[0]?.shape;
  const dim = shape?.[shape.length - 1];
  if (shape?.length !== 2 || typeof dim !== 'number') {
    throw new Error(`backbone must output [batch, dim]; got ${JSON.stringify(shape)}`);
  }
  return dim;
}

/** PyTorch's default nn.Linear initialisation, U(±1/√fan_in), from the seeded generator. */
function linearInit(fanIn: number, fanOut: number, rng: Rng): { kernel: tf.Variable; bias: tf.Variable } {
  const bound = 1 / Math.sqrt(fanIn);
  return {
    kernel: tf.variable(tf.tensor2d(uniformArray(fanIn * fanOut, rng, -bound, bound), [fanIn, fanOut])),
    bias: tf.variable(tf.tensor1d(uniformArray(fanOut, rng, -bound, bound))),
  };
}

/** `conv2d_7/kernel_2` -> `kernel`: the role of a weight without the per-process uniquifying suffix. */
function weightRole(name: string): string {
  return (name.split('/').pop() ?? 'weight').replace(/_\d+$/, '');
}

function backboneWeights(backbone: LayersModel): NamedWeight[] {
  // Keyed by position and role (kernel, gamma, moving_mean...): tfjs-layers appends a process-wide counter
  // to layer names, so a freshly built copy of the same network gets different names but the same order.
  // The counter lands on the weight name too (`kernel_2` once a process has built three models), so it is
  // stripped: otherwise a checkpoint resumes only in a process that happens to have built as many models.
  return backbone.weights.map((w, i) => ({
    key: `backbone/${String(i).padStart(4, '0')}/${weightRole(w.name)}`,
    variable: w.read() as tf.Variable,
    trainable: w.trainable,
  }));
}

/** Concatenates consecutive views of equal size and runs the backbone once per size (as SwAV does). */
function backboneFeatures(backbone: LayersModel, views: readonly tf.Tensor4D[]): tf.Tensor2D {
  const outputs: tf.Tensor2D[] = [];
  let start = 0;
  while (start < views.length) {
    const size = views[start]?.shape[1];
    let end = start;
    while (end < views.length && views[end]?.shape[1] === size) end++;
    const batch = end - start === 1 ? (views[start] as tf.Tensor4D) : tf.concat(views.slice(start, end));
    outputs.push(backbone.apply(batch, { training: true }) as tf.Tensor2D);
    start = end;
  }
  return outputs.length === 1 ? (outputs[0] as tf.Tensor2D) : tf.concat(outputs);
}

function batchNormTraining(x: tf.Tensor2D, gamma: tf.Variable, beta: tf.Variable): tf.Tensor2D {
  const { mean, variance } = tf.moments(x, 0);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, BN_EPSILON))), gamma), beta);
}

function l2Normalize(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
}

/**
 * Wraps a backbone with SwAV's projection head (Linear → BN → ReLU → Linear, L2-normalised) and a
 * bias-free prototype layer. The projection head's BN always uses batch statistics: the head only exists
 * during pre-training and is dropped before features are extracted, so it keeps no moving averages.
 */
export function createSwavModel(backbone: LayersModel, config: SwavModelConfig): SwavModel {
  const featureDim = backboneOutputDim(backbone);
  const { projOut } = config;
  const rng = createRng(config.seed);
  const head: NamedWeight[] = [];
  const add = (key: string, variable: tf.Variable) => head.push({ key, variable, trainable: true });

  let projIn = featureDim;
  let hidden: { kernel: tf.Variable; bias: tf.Variable; gamma: tf.Variable; beta: tf.Variable } | null = null;
  if (config.projHidden > 0) {
    const lin = linearInit(featureDim, config.projHidden, rng);
    hidden = {
      ...lin,
      gamma: tf.variable(tf.ones([config.projHidden])),
      beta: tf.variable(tf.zeros([config.projHidden])),
    };
    add('projection/hidden/kernel', hidden.kernel);
    add('projection/hidden/bias', hidden.bias);
    add('projection/bn/gamma', hidden.gamma);
    add('projection/bn/beta', hidden.beta);
    projIn = config.projHidden;
  }
  const out = linearInit(projIn, projOut, rng);
  add('projection/out/kernel', out.kernel);
  add('projection/out/bias', out.bias);
  const bound = 1 / Math.sqrt(projOut);
  const protoInit = uniformArray(config.prototypes * projOut, rng, -bound, bound);
  const prototypes = tf.variable(
    tf.tidy(() => l2Normalize(tf.tensor2d(protoInit, [config.prototypes, projOut]))),
  );
  add(PROTOTYPE_KEY, prototypes);
  const weights = [...backboneWeights(backbone), ...head];

  return {
    backbone,
    featureDim,
    projOut,
    prototypeCount: config.prototypes,
    prototypes,
    weights,
    embed(views) {
      return tf.tidy(() => {
        let x = backboneFeatures(backbone, views);
        if (hidden) {
          x = tf.relu(
            batchNormTraining(tf.add(tf.matMul(x, hidden.kernel), hidden.bias), hidden.gamma, hidden.beta),
          );
        }
        return l2Normalize(tf.add(tf.matMul(x, out.kernel), out.bias));
      });
    },
    score(embeddings) {
      return tf.matMul(embeddings, prototypes, false, true);
    },
    normalizePrototypes() {
      tf.tidy(() => prototypes.assign(l2Normalize(prototypes as unknown as tf.Tensor2D)));
    },
    dispose() {
      for (const w of head) w.variable.dispose();
    },
  };
}

export const PROTOTYPE_WEIGHT_KEY = PROTOTYPE_KEY;
