// A ResNet block's last conv together with its shortcut: activation(conv(x) + bias + residual).
// One kernel where the backend has it (oneDNN on the native backend), else the same three tfjs ops
// compiled inference ran before. Inference only: no gradient is registered.
import * as tf from '@tensorflow/tfjs-core';
import { CONV2D_RESIDUAL, type ConvGeometry } from './kernels/native-onednn-conv.js';

export interface Conv2DResidualArgs extends ConvGeometry {
  x: tf.Tensor4D;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  residual: tf.Tensor4D;
}

export function conv2dResidual(args: Conv2DResidualArgs): tf.Tensor4D {
  const { x, filter, bias, residual, ...geometry } = args;
  if (tf.getKernel(CONV2D_RESIDUAL, tf.getBackend()) !== undefined) {
    const attrs = { ...geometry } as unknown as tf.NamedAttrMap;
    return tf.engine().runKernel(CONV2D_RESIDUAL, { x, filter, bias, residual }, attrs) as tf.Tensor4D;
  }
  return tf.tidy(() => {
    const { strides, pad, dilations, activation } = geometry;
    const conv = tf.fused.conv2d({ x, filter, bias, strides, pad, dilations, dataFormat: 'NHWC' });
    const sum = tf.add(conv, residual);
    return (activation === 'relu' ? tf.relu(sum) : sum) as tf.Tensor4D;
  });
}
