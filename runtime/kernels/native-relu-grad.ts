// ReLU's gradient as TensorFlow's single ReluGrad op. tfjs-core differentiates Relu as
// dy * cast(step(x)), and tfjs-node builds Step out of six ops (isNaN, greater, ones, fill,
// where, select): seven full-size passes where one suffices (~14 % of a small-ResNet step).
import {
  engine,
  type GradConfig,
  getBackend,
  getGradient,
  getKernel,
  type KernelConfig,
  registerGradient,
  type Tensor,
} from '@tensorflow/tfjs-core';
import { asNativeBackend, floatTypeAttr } from './native-ops.js';

export const NATIVE_RELU_GRAD = 'ShelfsslReluGrad';

export const nativeReluGradKernel: KernelConfig = {
  kernelName: NATIVE_RELU_GRAD,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend }) => {
    const native = asNativeBackend(backend);
    const { dy, x } = inputs;
    if (dy === undefined || x === undefined) throw new Error(`${NATIVE_RELU_GRAD} needs dy and x`);
    return native.executeSingleOutput('ReluGrad', [floatTypeAttr(native, 'T')], [dy, x]);
  },
};

function nativeKernelActive(): boolean {
  return getKernel(NATIVE_RELU_GRAD, getBackend()) !== undefined;
}

/**
 * Replaces the (global) Relu gradient with one that uses ReluGrad where the active backend has
 * it and defers to tfjs-core's own gradient everywhere else, so other backends are unaffected.
 */
export function overrideReluGradient(): void {
  const stock = getGradient('Relu');
  if (stock === undefined || stock.gradFunc.name === 'nativeReluGradFunc') return;
  const stockFunc = stock.gradFunc;
  const config: GradConfig = {
    kernelName: 'Relu',
    inputsToSave: ['x'],
    gradFunc: function nativeReluGradFunc(dy, saved, attrs) {
      const [x] = saved;
      if (Array.isArray(dy) || x === undefined || x.dtype !== 'float32' || !nativeKernelActive()) {
        return stockFunc(dy, saved, attrs);
      }
      return { x: () => engine().runKernel(NATIVE_RELU_GRAD, { dy, x }) as Tensor };
    },
  };
  registerGradient(config);
}
