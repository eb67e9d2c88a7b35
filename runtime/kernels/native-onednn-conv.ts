// Convolutions on the native backend as oneDNN's fused convolution (_MklNativeFusedConv2D): conv,
// bias, an optional residual add and ReLU in one pass over the output. tfjs-node runs FusedConv2D as
// Conv2D + Add + Relu (three passes, three allocations), and TensorFlow's eager mode rewrites only
// plain Conv2D to oneDNN, never the fused form. Setting the op's list-valued attributes needs the
// binding patches in native/patches; where they, oneDNN or a CPU device are missing the probe fails
// and tfjs-node's own kernel stays.
//
// Frozen convs (compiled inference) also let oneDNN keep its reordered copy of the filter
// (is_filter_const) instead of reordering the weights on every call. Eager mode shares one kernel
// instance, and so one cached filter, among all ops with equal attributes: each filter buffer gets
// its own `_shelfssl_filter` key attribute, and releaseFrozenFilters() drops the cached kernels.
import {
  backend,
  engine,
  fill,
  findBackend,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  registerKernel,
  type Tensor,
  type TensorInfo,
  tensor1d,
  tensor4d,
  tidy,
  unregisterKernel,
} from '@tensorflow/tfjs-core';
import {
  asNativeBackend,
  boolAttr,
  floatTypeAttr,
  type NativeBackendLike,
  stringAttr,
  type TfOpAttr,
} from './native-ops.js';

/** activation(conv(x) + bias [+ residual]) with weights that never change (compiled inference). */
export const FROZEN_CONV2D = 'ShelfsslFrozenConv2D';

const ONEDNN_KERNELS = ['FusedConv2D', FROZEN_CONV2D] as const;

export type FusableActivation = 'linear' | 'relu';

export interface ConvGeometry {
  strides: [number, number];
  pad: 'same' | 'valid';
  dilations: [number, number];
  activation: FusableActivation;
}

function pairOf(value: unknown): [number, number] | undefined {
  if (value === undefined || value === null) return [1, 1];
  if (typeof value === 'number') return [value, value];
  if (Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number')) {
    return [value[0] as number, value[1] as number];
  }
  return undefined;
}

/** The FusedConv2D attrs oneDNN can take as they are, or undefined (the stock kernel runs then). */
function geometryOf(attrs: Record<string, unknown>): ConvGeometry | undefined {
  const strides = pairOf(attrs['strides']);
  const dilations = pairOf(attrs['dilations']);
  const { pad, activation, dataFormat, dimRoundingMode } = attrs;
  if (strides === undefined || dilations === undefined) return undefined;
  if (pad !== 'same' && pad !== 'valid') return undefined;
  if (activation !== 'linear' && activation !== 'relu') return undefined;
  if ((dataFormat ?? 'NHWC') !== 'NHWC' || dimRoundingMode != null) return undefined;
  return { strides, pad, dilations, activation };
}

/** [x, filter, bias] when oneDNN takes them: float32 NHWC x, HWIO filter, a bias per output channel
 * (tfjs also allows broadcastable biases; those stay on the stock kernel). */
function oneDnnOperands(
  x: TensorInfo | undefined,
  filter: TensorInfo | undefined,
  bias: TensorInfo | undefined,
): [TensorInfo, TensorInfo, TensorInfo] | undefined {
  if (x === undefined || filter === undefined || bias === undefined) return undefined;
  if (![x, filter, bias].every((t) => t.dtype === 'float32')) return undefined;
  const perChannel = bias.shape.length === 1 && bias.shape[0] === filter.shape[3];
  return x.shape.length === 4 && perChannel ? [x, filter, bias] : undefined;
}

function intList(backend: NativeBackendLike, name: string, value: number[]): TfOpAttr {
  return { name, type: backend.binding.TF_ATTR_INT, value };
}

/** A key per filter buffer (tfjs never changes a buffer's contents; assign makes a new one). */
const filterKeys = new WeakMap<object, string>();
let nextFilterKey = 0;

function filterKey(filter: TensorInfo): string {
  let key = filterKeys.get(filter.dataId);
  if (key === undefined) {
    key = `f${nextFilterKey++}`;
    filterKeys.set(filter.dataId, key);
  }
  return key;
}

function oneDnnFusedConv(
  backend: NativeBackendLike,
  g: ConvGeometry,
  inputs: [TensorInfo, TensorInfo, TensorInfo, ...TensorInfo[]],
  frozen: boolean,
): TensorInfo {
  const args = inputs.length - 2;
  const fusedOps = ['BiasAdd', ...(args === 2 ? ['Add'] : []), ...(g.activation === 'relu' ? ['Relu'] : [])];
  const { TF_ATTR_INT, TF_ATTR_STRING, TF_ATTR_TYPE, TF_FLOAT } = backend.binding;
  const attrs: TfOpAttr[] = [
    floatTypeAttr(backend, 'T'),
    { name: 'num_args', type: TF_ATTR_INT, value: args },
    { name: 'TArgs', type: TF_ATTR_TYPE, value: Array<number>(args).fill(TF_FLOAT) },
    intList(backend, 'strides', [1, g.strides[0], g.strides[1], 1]),
    stringAttr(backend, 'padding', g.pad.toUpperCase()),
    stringAttr(backend, 'data_format', 'NHWC'),
    intList(backend, 'dilations', [1, g.dilations[0], g.dilations[1], 1]),
    { name: 'fused_ops', type: TF_ATTR_STRING, value: fusedOps },
    // oneDNN's ops are registered under this kernel label; eager mode only finds them with it.
    stringAttr(backend, '_kernel', 'MklNameChangeOp'),
  ];
  if (frozen) {
    attrs.push(boolAttr(backend, 'is_filter_const', true));
    attrs.push(stringAttr(backend, '_shelfssl_filter', filterKey(inputs[1])));
  }
  return backend.executeSingleOutput('_MklNativeFusedConv2D', attrs, inputs);
}

function fusedConvKernel(stock: KernelFunc): KernelConfig {
  return {
    kernelName: 'FusedConv2D',
    backendName: 'tensorflow',
    kernelFunc: function oneDnnFusedConv2D(args) {
      const { x, filter, bias, preluActivationWeights } = args.inputs;
      const g = geometryOf(args.attrs as Record<string, unknown>);
      const operands = oneDnnOperands(x, filter, bias);
      if (g === undefined || preluActivationWeights || operands === undefined) return stock(args);
      return oneDnnFusedConv(asNativeBackend(args.backend), g, operands, false);
    },
  };
}

const frozenKernel: KernelConfig = {
  kernelName: FROZEN_CONV2D,
  backendName: 'tensorflow',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const { x, filter, bias, residual } = inputs;
    const g = geometryOf(attrs as Record<string, unknown>);
    const operands = oneDnnOperands(x, filter, bias);
    if (!g || operands === undefined) {
      throw new Error(`${FROZEN_CONV2D}: needs float32 x, filter and per-channel bias; same/valid NHWC`);
    }
    const all: [TensorInfo, TensorInfo, TensorInfo, ...TensorInfo[]] =
      residual === undefined ? operands : [...operands, residual];
    return oneDnnFusedConv(asNativeBackend(backend), g, all, true);
  },
};

interface ClearableBinding {
  clearCaches?: unknown;
}

function bindingOf(instance: object): ClearableBinding {
  return (instance as { binding?: ClearableBinding }).binding ?? {};
}

/**
 * Frees what frozen convs cached (oneDNN's reordered filters, in TensorFlow's kernel cache): call
 * when their filters are disposed. Other cached kernels are rebuilt on their next use.
 */
export function releaseFrozenFilters(): void {
  const instance = findBackend('tensorflow');
  const binding = instance === null ? {} : bindingOf(instance);
  if (typeof binding.clearCaches === 'function') binding.clearCaches();
}

/** Whether the active backend runs the oneDNN op and gets the right numbers (ReLU(2x + 1 + 10)). */
function probe(): boolean {
  try {
    const got = tidy(() => {
      const x = tensor4d([1, -2, 3, -6], [1, 2, 2, 1]);
      const inputs = {
        x,
        filter: tensor4d([2], [1, 1, 1, 1]),
        bias: tensor1d([1]),
        residual: fill([1, 2, 2, 1], 10),
      };
      const attrs = { strides: 1, pad: 'same', dilations: 1, activation: 'relu' };
      return (engine().runKernel(FROZEN_CONV2D, inputs, attrs) as Tensor).dataSync();
    });
    return Array.from(got).join() === '13,7,17,0';
  } catch {
    return false;
  } finally {
    releaseFrozenFilters();
  }
}

/**
 * Idempotent; call with 'tensorflow' active. Routes FusedConv2D (bias + linear/ReLU, same/valid,
 * NHWC) and frozen convs to oneDNN when the probe passes, else leaves tfjs-node's kernel.
 * Returns the kernel names now served by oneDNN (none when the probe failed).
 */
export function registerOneDnnConvKernels(): readonly string[] {
  const current = getKernel('FusedConv2D', 'tensorflow');
  if (current === undefined) return [];
  if (current.kernelFunc.name === 'oneDnnFusedConv2D') return ONEDNN_KERNELS;
  const instance = backend();
  const onGpu = (instance as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
  // Without clearCaches (a binding without our patch) cached filters could never be freed.
  if (onGpu || typeof bindingOf(instance).clearCaches !== 'function') return [];
  registerKernel(frozenKernel);
  if (!probe()) {
    unregisterKernel(FROZEN_CONV2D, 'tensorflow');
    return [];
  }
  unregisterKernel('FusedConv2D', 'tensorflow');
  registerKernel(fusedConvKernel(current.kernelFunc));
  return ONEDNN_KERNELS;
}
