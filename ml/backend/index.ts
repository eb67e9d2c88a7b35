export { type BackendInfo, type BackendName, type InitBackendOptions, initBackend } from './init-backend.js';
export { planTile } from './kernels/tile-via-broadcast.js';
export {
  builtNativeModuleDir,
  loadNativeBackendDetailed,
  type NativeLoad,
  type NativePackage,
  nativeTensorFlowVersion,
} from './native-backend.js';
export { registerNativeTrainingKernels } from './register-native-training-kernels.js';
export { registerWasmTrainingKernels } from './register-wasm-training-kernels.js';
export { wasmBinaryDirectory } from './wasm-paths.js';
