// One entry point deciding where tensors run: native TensorFlow if the user installed it (GPU
// path), else wasm with our training kernels, and the pure-JS cpu backend only on request
// (it is ~200x slower: a batch-64 ResNet step never finished in 31 minutes).
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node bundle registers no gradients; tfjs-layers' bundle does (side effect).
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadNativeBackend, nativeTensorFlowVersion, nativeThreads } from './native-backend.js';
import { registerNativeKernels } from './register-native-kernels.js';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels.js';
import { wasmBinaryDirectory } from './wasm-paths.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface InitBackendOptions {
  /** Preferred backend; falls through to the next one when unavailable. */
  prefer?: BackendName;
  /**
   * Threads: TensorFlow's op thread pools (native; only before its first load in the process,
   * default one per core) or wasm workers (ignored in Node today: tfjs forces wasm threads off).
   */
  threads?: number;
  /** Where the one-line backend announcement goes. */
  log?: (line: string) => void;
}

export interface BackendInfo {
  name: BackendName;
  threads: number;
  version: string;
  /** The runtime under the backend when it is not tfjs itself, e.g. 'TensorFlow 2.15.1'. */
  runtime?: string;
}

let announced: string | undefined;

function announce(info: BackendInfo, log: (line: string) => void): void {
  const runtime = info.runtime === undefined ? '' : ` runtime="${info.runtime}"`;
  const line = `[ml] backend=${info.name} threads=${info.threads} tfjs=${info.version}${runtime}`;
  if (announced === line) return;
  announced = line;
  log(line);
}

async function useNative(threads: number | undefined): Promise<boolean> {
  if ((await loadNativeBackend(threads)) === undefined) return false;
  if (!(await tf.setBackend('tensorflow'))) return false;
  // SHELFSSL_NATIVE_KERNELS=0 keeps tfjs' stock composition, for A/B timing and bisecting.
  if (process.env['SHELFSSL_NATIVE_KERNELS'] !== '0') registerNativeKernels();
  return true;
}

async function useWasm(threads: number | undefined): Promise<boolean> {
  setWasmPaths(wasmBinaryDirectory());
  if (threads !== undefined && tf.getBackend() !== 'wasm') setThreadsCount(threads);
  if (!(await tf.setBackend('wasm'))) return false;
  await tf.ready();
  registerWasmTrainingKernels();
  return true;
}

function wasmThreads(): number {
  const count = getThreadsCount();
  return count > 0 ? count : 1;
}

/** Asked-for cpu means a tiny test; reaching it by fallback means something is broken: shout. */
async function useCpu(requested: boolean, log: (line: string) => void): Promise<boolean> {
  if (!requested) {
    log(
      '[ml] WARNING: !!! falling back to the pure-JS cpu backend: training will be ~200x slower than wasm !!!',
    );
  }
  return tf.setBackend('cpu');
}

export async function initBackend(opts: InitBackendOptions = {}): Promise<BackendInfo> {
  const log = opts.log ?? console.log;
  const prefer = opts.prefer ?? 'tensorflow';
  const finish = (name: BackendName, threads: number, runtime?: string): BackendInfo => {
    const info: BackendInfo = { name, threads, version: tf.version_core };
    if (runtime !== undefined) info.runtime = runtime;
    announce(info, log);
    return info;
  };
  if (prefer === 'tensorflow' && (await useNative(opts.threads))) {
    return finish('tensorflow', nativeThreads(), `TensorFlow ${nativeTensorFlowVersion() ?? '?'}`);
  }
  if (prefer !== 'cpu' && (await useWasm(opts.threads))) return finish('wasm', wasmThreads());
  if (await useCpu(prefer === 'cpu', log)) return finish('cpu', 1);
  throw new Error('no TensorFlow.js backend could be initialised');
}
