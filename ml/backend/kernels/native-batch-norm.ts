// Training-mode batch norm as TensorFlow's FusedBatchNormV3 / FusedBatchNormGradV3 (one op each
// way, oneDNN-backed). tfjs-layers composes it from tf.moments + tf.batchNorm, whose forward and
// tfjs-core gradients come to ~25 full-size elementwise passes per layer: about a third of a
// small-ResNet training step on the native backend.
import { engine, type GradConfig, type KernelConfig, type Tensor, tensor1d } from '@tensorflow/tfjs-core';
import {
  asNativeBackend,
  boolAttr,
  floatAttr,
  floatTypeAttr,
  type NativeBackendLike,
  stringAttr,
  type TfOpAttr,
} from './native-ops.js';

export const NATIVE_BN_TRAIN = 'ShelfsslFusedBatchNormTraining';
export const NATIVE_BN_TRAIN_GRAD = 'ShelfsslFusedBatchNormTrainingGrad';

function batchNormAttrs(native: NativeBackendLike, epsilon: number): TfOpAttr[] {
  return [
    floatTypeAttr(native, 'T'),
    floatTypeAttr(native, 'U'),
    floatAttr(native, 'epsilon', epsilon),
    stringAttr(native, 'data_format', 'NHWC'),
    boolAttr(native, 'is_training', true),
  ];
}

function epsilonOf(attrs: object | undefined): number {
  const epsilon = (attrs as { epsilon?: unknown } | undefined)?.epsilon;
  if (typeof epsilon !== 'number') throw new Error('batch norm kernels need a numeric epsilon attr');
  return epsilon;
}

/**
 * Inputs x [N,H,W,C], scale [C], offset [C]; outputs y, batch mean, batch variance (TensorFlow's
 * n-1 estimate) and the three reserve tensors the gradient op needs.
 */
export const nativeBatchNormTrainingKernel: KernelConfig = {
  kernelName: NATIVE_BN_TRAIN,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const native = asNativeBackend(backend);
    const { x, scale, offset } = inputs;
    if (x === undefined || scale === undefined || offset === undefined) {
      throw new Error(`${NATIVE_BN_TRAIN} needs x, scale and offset`);
    }
    // In training mode the population mean/variance inputs must be empty.
    const empty = tensor1d([], 'float32');
    const outputs = native.executeMultipleOutputs(
      'FusedBatchNormV3',
      batchNormAttrs(native, epsilonOf(attrs)),
      [x, scale, offset, empty, empty],
      6,
    );
    empty.dispose();
    return outputs;
  },
};

/** Inputs dy, x, scale and the forward's reserves; outputs dx, dscale, doffset (+2 unused). */
export const nativeBatchNormTrainingGradKernel: KernelConfig = {
  kernelName: NATIVE_BN_TRAIN_GRAD,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const native = asNativeBackend(backend);
    const { dy, x, scale, reserve1, reserve2, reserve3 } = inputs;
    if (!dy || !x || !scale || !reserve1 || !reserve2 || !reserve3) {
      throw new Error(`${NATIVE_BN_TRAIN_GRAD} needs dy, x, scale and three reserves`);
    }
    return native.executeMultipleOutputs(
      'FusedBatchNormGradV3',
      batchNormAttrs(native, epsilonOf(attrs)),
      [dy, x, scale, reserve1, reserve2, reserve3],
      5,
    );
  },
};

export const nativeBatchNormTrainingGradient: GradConfig = {
  kernelName: NATIVE_BN_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, false, false, true, true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [x, scale, reserve1, reserve2, reserve3] = saved;
    // One op yields all three gradients. Run it here, not inside the thunks: tfjs calls each thunk
    // in its own tidy, which would free the other two outputs; here they live in the backward
    // pass's scope and are freed with it.
    const [dx, dscale, doffset] = engine().runKernel(
      NATIVE_BN_TRAIN_GRAD,
      { dy: dy!, x: x!, scale: scale!, reserve1: reserve1!, reserve2: reserve2!, reserve3: reserve3! },
      { epsilon: epsilonOf(attrs) },
    ) as Tensor[];
    return { x: () => dx!, scale: () => dscale!, offset: () => doffset! };
  },
};
