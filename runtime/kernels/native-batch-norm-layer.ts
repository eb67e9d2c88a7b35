// Routes tfjs-layers' BatchNormalization, in training mode on the native backend, through the
// fused TensorFlow kernel (native-batch-norm.ts). The layer builds training batch norm from
// tf.moments + tf.batchNorm inside its own `call` (see layer-call-route.ts). Every other case —
// inference, other backends, other axes or ranks, no centre/scale — runs the original method.
import * as tf from '@tensorflow/tfjs-core';
import { routeLayerCall, singleInput } from './layer-call-route.js';
import { NATIVE_BN_TRAIN } from './native-batch-norm.js';

interface LayerVariableLike {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

/** The fields of tfjs-layers' BatchNormalization that `call` reads (stable since tfjs 1.x). */
interface BatchNormLayerLike {
  axis: number;
  momentum: number;
  epsilon: number;
  center: boolean;
  scale: boolean;
  gamma: LayerVariableLike | null;
  beta: LayerVariableLike | null;
  movingMean: LayerVariableLike;
  movingVariance: LayerVariableLike;
}

function fusable(
  layer: BatchNormLayerLike,
  x: tf.Tensor | undefined,
  kwargs: Record<string, unknown>,
): x is tf.Tensor4D {
  return (
    kwargs['training'] === true &&
    x !== undefined &&
    x.rank === 4 &&
    x.dtype === 'float32' &&
    (layer.axis === -1 || layer.axis === 3) &&
    layer.gamma !== null &&
    layer.beta !== null &&
    x.size / (x.shape[3] ?? 1) > 1 &&
    tf.getKernel(NATIVE_BN_TRAIN, tf.getBackend()) !== undefined
  );
}

/**
 * tfjs-layers averages the biased batch variance, TensorFlow the n−1 estimate (as PyTorch does):
 * given TensorFlow's average t = (1−f)·old + f·v·n/(n−1), tfjs-layers' (1−f)·old + f·v is
 * t·(n−1)/n + old·(1−f)/n.
 */
function biasedVarianceAverage(averaged: tf.Tensor, old: tf.Tensor, averaging: number, n: number): tf.Tensor {
  return tf.add(tf.mul(averaged, (n - 1) / n), tf.mul(old, (1 - averaging) / n));
}

function fusedTrainingCall(layer: BatchNormLayerLike, x: tf.Tensor4D): tf.Tensor {
  return tf.tidy(() => {
    const averaging = 1 - layer.momentum;
    const oldVariance = layer.movingVariance.read();
    const [y, mean, variance] = tf.engine().runKernel(
      NATIVE_BN_TRAIN,
      {
        x,
        scale: layer.gamma!.read(),
        offset: layer.beta!.read(),
        mean: layer.movingMean.read(),
        variance: oldVariance,
      },
      { epsilon: layer.epsilon, averaging },
    ) as tf.Tensor[];
    layer.movingMean.write(mean!);
    layer.movingVariance.write(biasedVarianceAverage(variance!, oldVariance, averaging, x.size / x.shape[3]));
    return y!;
  });
}

/** Idempotent; returns false when tfjs-layers' BatchNormalization is not registered. */
export function routeBatchNormTrainingToNative(): boolean {
  return routeLayerCall<BatchNormLayerLike>(
    'BatchNormalization',
    Symbol.for('shelfssl.nativeBatchNorm'),
    (original) =>
      function nativeBatchNormCall(inputs, kwargs) {
        const x = singleInput(inputs);
        if (!fusable(this, x, kwargs ?? {})) return original.call(this, inputs, kwargs);
        return fusedTrainingCall(this, x);
      },
  );
}
