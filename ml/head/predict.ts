import * as tf from '@tensorflow/tfjs-core';
import type { LinearHead } from './types.js';

export interface HeadPredictions {
  /** Row-major [n, classes] softmax probabilities. */
  probs: Float32Array;
  /** Arg-max class per row. */
  labels: Int32Array;
}

/** Applies the head (standardise, linear, softmax) to raw features [n, dim]. */
export function predictHead(head: LinearHead, features: Float32Array): HeadPredictions {
  const n = features.length / head.dim;
  if (!Number.isInteger(n))
    throw new Error(`features length ${features.length} is not a multiple of ${head.dim}`);
  return tf.tidy(() => {
    const x = tf.div(
      tf.sub(tf.tensor2d(features, [n, head.dim]), tf.tensor1d(head.mean)),
      tf.tensor1d(head.std),
    );
    const logits = tf.add(
      tf.matMul(x, tf.tensor2d(head.weights, [head.dim, head.classes])),
      tf.tensor1d(head.bias),
    );
    const probs = tf.softmax(logits);
    return {
      probs: Float32Array.from(probs.dataSync()),
      labels: Int32Array.from(tf.argMax(probs, 1).dataSync()),
    };
  });
}
