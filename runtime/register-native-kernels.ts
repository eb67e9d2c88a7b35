// Installs our kernels on the native 'tensorflow' backend (tfjs-node): single TensorFlow ops where
// tfjs would otherwise compose many elementwise passes (ReLU's gradient, training-mode batch norm
// forward and backward, moving averages included) and oneDNN's fused convolution (conv + bias
// [+ residual] [+ ReLU]); bias-free conv layers run as tf.conv2d so the image gets no gradient. Call
// with the backend active; other backends keep tfjs' stock behaviour (each hook checks the backend).
import { getKernel, registerGradient, registerKernel } from '@tensorflow/tfjs-core';
import { routePlainConvThroughConv2d } from './kernels/conv-layer-lazy-gradient.js';
import {
  nativeBatchNormTrainingGradient,
  nativeBatchNormTrainingGradKernel,
  nativeBatchNormTrainingKernel,
} from './kernels/native-batch-norm.js';
import { routeBatchNormTrainingToNative } from './kernels/native-batch-norm-layer.js';
import { registerOneDnnConvKernels } from './kernels/native-onednn-conv.js';
import { nativeReluGradKernel, overrideReluGradient } from './kernels/native-relu-grad.js';

const KERNELS = [nativeReluGradKernel, nativeBatchNormTrainingKernel, nativeBatchNormTrainingGradKernel];

/** Idempotent. Returns the names of the kernels now registered for 'tensorflow'. */
export function registerNativeKernels(): readonly string[] {
  for (const config of KERNELS) {
    if (getKernel(config.kernelName, 'tensorflow') === undefined) registerKernel(config);
  }
  registerGradient(nativeBatchNormTrainingGradient);
  overrideReluGradient();
  routeBatchNormTrainingToNative();
  routePlainConvThroughConv2d();
  return [...KERNELS.map((k) => k.kernelName), ...registerOneDnnConvKernels()];
}
