// activation(conv(x) + bias [+ residual]) for weights that never change: compiled inference's convs,
// a ResNet block's last one taking its shortcut. One oneDNN kernel on the native backend (which
// also keeps the reordered filter: see kernels/native-onednn-conv.ts), else the tfjs ops compiled
// inference would run anyway. Inference only: no gradient is registered.
import * as tf from '@tensorflow/tfjs-core';
import { type ConvGeometry, FROZEN_CONV2D } from './kernels/native-onednn-conv.js';

export interface FrozenConv2DArgs extends ConvGeometry {
  x: tf.Tensor4D;
  /** On the native backend its reordered copy stays cached until releaseFrozenFilters(). */
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  residual?: tf.Tensor4D;
}

export function frozenConv2d(args: FrozenConv2DArgs): tf.Tensor4D {
  const { x, filter, bias, residual, ...geometry } = args;
  if (tf.getKernel(FROZEN_CONV2D, tf.getBackend()) !== undefined) {
    const inputs: tf.NamedTensorMap =
      residual === undefined ? { x, filter, bias } : { x, filter, bias, residual };
    return tf
      .engine()
      .runKernel(FROZEN_CONV2D, inputs, { ...geometry } as unknown as tf.NamedAttrMap) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const { strides, pad, dilations, activation } = geometry;
    const convActivation = residual === undefined ? activation : 'linear';
    const conv = tf.fused.conv2d({ x, filter, bias, strides, pad, dilations, activation: convActivation });
    if (residual === undefined) return conv;
    const sum = tf.add(conv, residual);
    return (activation === 'relu' ? tf.relu(sum) : sum) as tf.Tensor4D;
  });
}
