// Thin helpers for composing replacement kernels out of the wasm backend's own kernels.
// We call kernelFuncs directly (not tf ops) so intermediates are plain TensorInfos that we
// free ourselves, and the engine never sees them: no tape entries, no tensor-count drift.
import { getKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs-core';

/** The subset of BackendWasm we rely on; typed locally because kernelFunc hands us `{}`. */
export interface WasmBackendLike {
  disposeData(dataId: object, force?: boolean): boolean;
  incRef(dataId: object): void;
}

export function asWasmBackend(backend: object): WasmBackendLike {
  return backend as WasmBackendLike;
}

/** Looks up a kernel registered on wasm; throws early if the backend package changed. */
export function wasmKernel(kernelName: string): KernelFunc {
  const config = getKernel(kernelName, 'wasm');
  if (config === undefined) throw new Error(`wasm backend has no ${kernelName} kernel`);
  return config.kernelFunc;
}

/** Runs a single-output kernel. */
export function callKernel(
  kernel: KernelFunc,
  backend: object,
  inputs: Record<string, TensorInfo>,
  attrs: NamedAttrMap,
): TensorInfo {
  const out = kernel({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error('expected a single-output kernel');
  return out;
}

/** A view of the same buffer with another shape; must not be disposed separately. */
export function reshapeView(info: TensorInfo, shape: number[]): TensorInfo {
  return { dataId: info.dataId, shape, dtype: info.dtype };
}

export function disposeInfos(backend: object, ...infos: TensorInfo[]): void {
  const wasm = asWasmBackend(backend);
  for (const info of infos) wasm.disposeData(info.dataId);
}
