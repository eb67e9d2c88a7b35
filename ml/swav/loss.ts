import * as tf from '@tensorflow/tfjs-core';

/**
 * SwAV's swapped-prediction loss. `scores[v]` are the prototype scores [B, K] of view v; `codes[i]` is the
 * Sinkhorn target for view i (codes exist for the first `codes.length` views, the global crops). Each code
 * is predicted from every other view with a softmax at `temperature`; cross-entropies are averaged over the
 * predicting views, then over the coded views — the loss of the paper's training loop.
 */
export function swavLoss(
  scores: readonly tf.Tensor2D[],
  codes: readonly tf.Tensor2D[],
  temperature: number,
): tf.Scalar {
  if (scores.length < 2) throw new Error('swavLoss needs at least two views');
  return tf.tidy(() => {
    const logProbs = scores.map((s) => tf.logSoftmax(tf.div(s, temperature)));
    let total: tf.Scalar = tf.scalar(0);
    codes.forEach((q, i) => {
      let sub: tf.Scalar = tf.scalar(0);
      logProbs.forEach((logP, v) => {
        if (v !== i) sub = tf.sub(sub, tf.mean(tf.sum(tf.mul(q, logP), 1)));
      });
      total = tf.add(total, tf.div(sub, scores.length - 1));
    });
    return tf.div(total, codes.length);
  });
}
