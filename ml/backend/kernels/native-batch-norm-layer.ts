// Routes tfjs-layers' BatchNormalization, in training mode on the native backend, through the
// fused TensorFlow kernel (native-batch-norm.ts). The layer builds training batch norm from
// tf.moments + tf.batchNorm inside its own `call`, so no kernel registration can reach it: we wrap
// `call` on its class (found through the serialization registry, without creating a layer).
// Every other case — inference, other backends, other axes or ranks, no centre/scale — runs the
// original method unchanged.
import * as tf from '@tensorflow/tfjs-core';
import { NATIVE_BN_TRAIN } from './native-batch-norm.js';

interface LayerVariableLike {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

type CallArgs = Record<string, unknown>;
type LayerCall = (this: BatchNormLayerLike, inputs: tf.Tensor | tf.Tensor[], kwargs: CallArgs) => tf.Tensor;

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

interface BatchNormPrototype {
  call: LayerCall;
}

const WRAPPED = Symbol.for('shelfssl.nativeBatchNorm');

function batchNormPrototype(): (BatchNormPrototype & { [WRAPPED]?: true }) | undefined {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap['BatchNormalization'];
  return entry?.[0].prototype as (BatchNormPrototype & { [WRAPPED]?: true }) | undefined;
}

function singleInput(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor | undefined {
  if (!Array.isArray(inputs)) return inputs;
  return inputs.length === 1 ? inputs[0] : undefined;
}

function fusable(layer: BatchNormLayerLike, x: tf.Tensor | undefined, kwargs: CallArgs): x is tf.Tensor4D {
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
  const proto = batchNormPrototype();
  if (proto === undefined) return false;
  if (proto[WRAPPED]) return true;
  const original = proto.call;
  proto.call = function nativeBatchNormCall(this: BatchNormLayerLike, inputs, kwargs) {
    const x = singleInput(inputs);
    if (!fusable(this, x, kwargs ?? {})) return original.call(this, inputs, kwargs);
    return fusedTrainingCall(this, x);
  };
  proto[WRAPPED] = true;
  return true;
}
