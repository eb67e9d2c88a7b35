// Training-mode batch norm as TensorFlow's FusedBatchNormV2 / FusedBatchNormGradV2 (one op each
// way, oneDNN-backed). tfjs-layers composes it from tf.moments + tf.batchNorm, whose forward and
// tfjs-core gradients come to ~25 full-size elementwise passes per layer: about a third of a
// small-ResNet training step on the native backend. V2, not V3: V3's extra reserve output has no
// static shape, and the binding's asynchronous execution (native/patches) would wait for every
// batch norm to finish just to learn it.
import { engine, type GradConfig, type KernelConfig, type Tensor, zerosLike } from '@tensorflow/tfjs-core';
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

function batchNormAttrs(native: NativeBackendLike, epsilon: number, averaging?: number): TfOpAttr[] {
  const attrs = [
    floatTypeAttr(native, 'T'),
    floatTypeAttr(native, 'U'),
    floatAttr(native, 'epsilon', epsilon),
    stringAttr(native, 'data_format', 'NHWC'),
    boolAttr(native, 'is_training', true),
  ];
  if (averaging !== undefined) attrs.push(floatAttr(native, 'exponential_avg_factor', averaging));
  return attrs;
}

function numberAttr(attrs: object | undefined, name: string): number {
  const value = (attrs as Record<string, unknown> | undefined)?.[name];
  if (typeof value !== 'number') throw new Error(`batch norm kernels need a numeric ${name} attr`);
  return value;
}

function epsilonOf(attrs: object | undefined): number {
  return numberAttr(attrs, 'epsilon');
}

/**
 * Inputs x [N,H,W,C], scale [C], offset [C] and the moving mean and variance [C]; attrs epsilon and
 * averaging (the weight of this batch in the moving averages, 1 − momentum). Outputs y, the updated
 * moving mean, the updated moving variance — averaged with TensorFlow's n−1 batch-variance estimate —
 * and the two reserve tensors the gradient op needs. Updating the averages inside the op saves
 * ~5 tiny ops per layer and step.
 */
export const nativeBatchNormTrainingKernel: KernelConfig = {
  kernelName: NATIVE_BN_TRAIN,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const native = asNativeBackend(backend);
    const { x, scale, offset, mean, variance } = inputs;
    if (!x || !scale || !offset || !mean || !variance) {
      throw new Error(`${NATIVE_BN_TRAIN} needs x, scale, offset, mean and variance`);
    }
    return native.executeMultipleOutputs(
      'FusedBatchNormV2',
      batchNormAttrs(native, epsilonOf(attrs), numberAttr(attrs, 'averaging')),
      [x, scale, offset, mean, variance],
      5,
    );
  },
};

/** Inputs dy, x, scale and the forward's reserves; outputs dx, dscale, doffset (+2 unused). */
export const nativeBatchNormTrainingGradKernel: KernelConfig = {
  kernelName: NATIVE_BN_TRAIN_GRAD,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const native = asNativeBackend(backend);
    const { dy, x, scale, reserve1, reserve2 } = inputs;
    if (!dy || !x || !scale || !reserve1 || !reserve2) {
      throw new Error(`${NATIVE_BN_TRAIN_GRAD} needs dy, x, scale and two reserves`);
    }
    return native.executeMultipleOutputs(
      'FusedBatchNormGradV2',
      batchNormAttrs(native, epsilonOf(attrs)),
      [dy, x, scale, reserve1, reserve2],
      5,
    );
  },
};

export const nativeBatchNormTrainingGradient: GradConfig = {
  kernelName: NATIVE_BN_TRAIN,
  inputsToSave: ['x', 'scale'],
  outputsToSave: [false, false, false, true, true],
  gradFunc: (dys, saved, attrs) => {
    const dy = Array.isArray(dys) ? dys[0] : dys;
    const [x, scale, reserve1, reserve2] = saved;
    // One op yields all three gradients. Run it here, not inside the thunks: tfjs calls each thunk
    // in its own tidy, which would free the other two outputs; here they live in the backward
    // pass's scope and are freed with it.
    const [dx, dscale, doffset] = engine().runKernel(
      NATIVE_BN_TRAIN_GRAD,
      { dy: dy!, x: x!, scale: scale!, reserve1: reserve1!, reserve2: reserve2! },
      { epsilon: epsilonOf(attrs) },
    ) as Tensor[];
    // The moving statistics do not affect y in training mode.
    return {
      x: () => dx!,
      scale: () => dscale!,
      offset: () => doffset!,
      mean: () => zerosLike(dscale!),
      variance: () => zerosLike(dscale!),
    };
  },
};
