import * as tf from '@tensorflow/tfjs-core';
import { normalArray, permutation, type Rng } from '../random.js';
import type { EpochRecord } from './types.js';

export interface SoftmaxFitInput {
  /** Standardised training features [n, dim] and labels. */
  x: Float32Array;
  y: Int32Array;
  /** Optional validation set; empty arrays disable early stopping. */
  valX: Float32Array;
  valY: Int32Array;
  dim: number;
  classes: number;
  epochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  momentum: number;
  patience: number;
  rng: Rng;
}

export interface SoftmaxFit {
  weights: Float32Array;
  bias: Float32Array;
  epochsRun: number;
  bestEpoch: number;
  history: EpochRecord[];
}

function evaluate(w: tf.Tensor, b: tf.Tensor, x: tf.Tensor2D, y: tf.Tensor1D, classes: number) {
  return tf.tidy(() => {
    const logits = tf.add(tf.matMul(x, w as tf.Tensor2D), b);
    const loss = tf.losses.softmaxCrossEntropy(tf.oneHot(y, classes), logits);
    const correct = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), y), 'float32'));
    return { loss: loss.dataSync()[0] ?? Number.NaN, accuracy: correct.dataSync()[0] ?? Number.NaN };
  });
}

/**
 * Multinomial logistic regression by mini-batch SGD with momentum, L2 decay and a cosine learning rate
 * (the linear-evaluation recipe: W ~ N(0, 0.01²), b = 0). The gradient of softmax cross-entropy is
 * written out ((p − onehot) / B), which is all a linear layer needs and avoids tape overhead. With a
 * validation set it keeps the weights of the best validation loss and stops after `patience` epochs
 * without improvement.
 */
export function fitSoftmaxRegression(input: SoftmaxFitInput): SoftmaxFit {
  const { dim, classes } = input;
  const n = input.y.length;
  const hasVal = input.valY.length > 0;
  const x = tf.tensor2d(input.x, [n, dim]);
  const y = tf.tensor1d(input.y, 'int32');
  const valX = hasVal ? tf.tensor2d(input.valX, [input.valY.length, dim]) : null;
  const valY = hasVal ? tf.tensor1d(input.valY, 'int32') : null;
  const w = tf.variable(tf.tensor2d(normalArray(dim * classes, input.rng, 0, 0.01), [dim, classes]));
  const b = tf.variable(tf.zeros([classes]));
  const vw = tf.variable(tf.zeros([dim, classes]));
  const vb = tf.variable(tf.zeros([classes]));
  let best: { loss: number; epoch: number; w: Float32Array; b: Float32Array } = {
    loss: Number.POSITIVE_INFINITY,
    epoch: 0,
    w: new Float32Array(0),
    b: new Float32Array(0),
  };
  const history: EpochRecord[] = [];
  let epoch = 0;
  while (epoch < input.epochs) {
    const lr = 0.5 * input.lr * (1 + Math.cos((Math.PI * epoch) / input.epochs));
    const order = permutation(n, input.rng);
    let lossSum = 0;
    for (let start = 0; start < n; start += input.batchSize) {
      const idx = order.slice(start, start + input.batchSize);
      lossSum += sgdStep(input, { x, y, w, b, vw, vb }, idx, lr) * idx.length;
    }
    epoch++;
    const val =
      valX && valY ? evaluate(w, b, valX, valY, classes) : { loss: Number.NaN, accuracy: Number.NaN };
    history.push({ epoch, lr, trainLoss: lossSum / n, valLoss: val.loss, valAccuracy: val.accuracy });
    const monitored = hasVal ? val.loss : lossSum / n;
    if (monitored < best.loss - 1e-6) {
      best = {
        loss: monitored,
        epoch,
        w: Float32Array.from(w.dataSync()),
        b: Float32Array.from(b.dataSync()),
      };
    } else if (hasVal && epoch - best.epoch >= input.patience) {
      break;
    }
  }
  const result = {
    weights: Float32Array.from(best.w.length ? best.w : w.dataSync()),
    bias: Float32Array.from(best.b.length ? best.b : b.dataSync()),
    epochsRun: epoch,
    bestEpoch: best.epoch || epoch,
    history,
  };
  for (const t of [x, y, valX, valY, w, b, vw, vb]) t?.dispose();
  return result;
}

interface FitTensors {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
  w: tf.Variable;
  b: tf.Variable;
  vw: tf.Variable;
  vb: tf.Variable;
}

function sgdStep(input: SoftmaxFitInput, t: FitTensors, idx: number[], lr: number): number {
  return tf.tidy(() => {
    const rows = tf.tensor1d(idx, 'int32');
    const xb = tf.gather(t.x, rows) as tf.Tensor2D;
    const onehot = tf.oneHot(tf.gather(t.y, rows), input.classes);
    const logits = tf.add(tf.matMul(xb, t.w as tf.Tensor2D), t.b);
    const loss = tf.losses.softmaxCrossEntropy(onehot, logits);
    const g = tf.div(tf.sub(tf.softmax(logits), onehot), idx.length);
    const gw = tf.add(tf.matMul(xb, g, true, false), tf.mul(t.w, input.weightDecay));
    const gb = tf.sum(g, 0);
    t.vw.assign(tf.add(tf.mul(t.vw, input.momentum), gw));
    t.vb.assign(tf.add(tf.mul(t.vb, input.momentum), gb));
    t.w.assign(tf.sub(t.w, tf.mul(t.vw, lr)));
    t.b.assign(tf.sub(t.b, tf.mul(t.vb, lr)));
    return loss.dataSync()[0] ?? Number.NaN;
  });
}
