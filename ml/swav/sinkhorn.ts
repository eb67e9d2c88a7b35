import * as tf from '@tensorflow/tfjs-core';

export interface SinkhornOptions {
  /** Entropy regularisation; smaller gives sharper codes (SwavParams.epsilon). */
  epsilon: number;
  /** Alternating normalisation rounds (SwavParams.sinkhornIterations). */
  iterations: number;
}

/**
 * SwAV's equipartitioned soft codes (Caron et al. 2020, Algorithm 1 / `distributed_sinkhorn`).
 *
 * Given prototype scores [B, K] (cosine similarities), computes Q = exp(scores / eps)ᵀ [K, B],
 * divides by its total, then `iterations` times: each prototype row is scaled to sum 1/K, then each
 * sample column to sum 1/B. Finally Q is multiplied by B and transposed back, so the returned
 * targets [B, K] have rows (samples) summing to exactly 1, and columns (prototypes) summing to
 * approximately B/K — exactly B/K just before the last sample normalisation, and converging
 * to it as `iterations` grows.
 *
 * The same steps are carried out on log Q (each division becomes subtracting a log-sum-exp, which
 * subtracts the maximum internally), so nothing overflows or underflows to 0/0 even when scores / eps
 * spans hundreds of nats, where the literal float32 version returns NaN.
 * Codes are targets: callers pass detached scores.
 */
export function sinkhornKnopp(scores: tf.Tensor2D, { epsilon, iterations }: SinkhornOptions): tf.Tensor2D {
  const [b, k] = scores.shape;
  const logK = Math.log(k);
  const logB = Math.log(b);
  return tf.tidy(() => {
    let logQ: tf.Tensor = tf.transpose(tf.div(scores, epsilon));
    logQ = tf.sub(logQ, tf.logSumExp(logQ));
    for (let it = 0; it < iterations; it++) {
      logQ = tf.sub(tf.sub(logQ, tf.logSumExp(logQ, 1, true)), logK);
      logQ = tf.sub(tf.sub(logQ, tf.logSumExp(logQ, 0, true)), logB);
    }
    return tf.transpose(tf.exp(tf.add(logQ, logB))) as tf.Tensor2D;
  });
}
