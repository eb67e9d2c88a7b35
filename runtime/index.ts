export { type CompiledInference, compileFrozenInference } from './fold-batchnorm.js';
export { type FrozenConv2DArgs, frozenConv2d } from './frozen-conv2d.js';
export { type BackendInfo, type BackendName, type InitBackendOptions, initBackend } from './init-backend.js';
export { releaseFrozenFilters } from './kernels/native-onednn-conv.js';
export { planTile } from './kernels/tile-via-broadcast.js';
export {
  builtNativeModuleDir,
  loadNativeBackendDetailed,
  type NativeLoad,
  type NativePackage,
  nativeTensorFlowVersion,
} from './native-backend.js';
export { registerNativeKernels } from './register-native-kernels.js';
export { registerWasmTrainingKernels } from './register-wasm-training-kernels.js';
export { wasmBinaryDirectory } from './wasm-paths.js';
