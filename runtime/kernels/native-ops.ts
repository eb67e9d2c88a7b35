// Calls single TensorFlow ops through the native backend tfjs-node registers ('tensorflow').
// Its kernels are thin wrappers around `executeSingleOutput`/`executeMultipleOutputs` (eager
// TFE_Execute); ours use the same two methods, typed locally because kernelFuncs get `{}`.
import type { TensorInfo } from '@tensorflow/tfjs-core';

/** Enum values the binding exports (TF_AttrType / TF_DataType of the C API). */
export interface TfBindingConstants {
  TF_ATTR_TYPE: number;
  TF_ATTR_INT: number;
  TF_ATTR_FLOAT: number;
  TF_ATTR_BOOL: number;
  TF_ATTR_STRING: number;
  TF_FLOAT: number;
}

export interface TfOpAttr {
  name: string;
  type: number;
  /** Lists of strings and types need the binding patch in native/patches. */
  value: number | boolean | string | number[] | string[];
}

export interface NativeBackendLike {
  binding: TfBindingConstants;
  executeSingleOutput(name: string, attrs: TfOpAttr[], inputs: TensorInfo[]): TensorInfo;
  executeMultipleOutputs(
    name: string,
    attrs: TfOpAttr[],
    inputs: TensorInfo[],
    outputs: number,
  ): TensorInfo[];
}

export function asNativeBackend(backend: object): NativeBackendLike {
  const candidate = backend as Partial<NativeBackendLike>;
  if (typeof candidate.executeMultipleOutputs !== 'function' || candidate.binding === undefined) {
    throw new Error('not the tfjs-node (tensorflow) backend');
  }
  return candidate as NativeBackendLike;
}

/** Attribute 'T' (and 'U' for batch norm) = float32: the only dtype these kernels accept. */
export function floatTypeAttr(backend: NativeBackendLike, name: string): TfOpAttr {
  return { name, type: backend.binding.TF_ATTR_TYPE, value: backend.binding.TF_FLOAT };
}

export function floatAttr(backend: NativeBackendLike, name: string, value: number): TfOpAttr {
  return { name, type: backend.binding.TF_ATTR_FLOAT, value };
}

export function boolAttr(backend: NativeBackendLike, name: string, value: boolean): TfOpAttr {
  return { name, type: backend.binding.TF_ATTR_BOOL, value };
}

export function stringAttr(backend: NativeBackendLike, name: string, value: string): TfOpAttr {
  return { name, type: backend.binding.TF_ATTR_STRING, value };
}
