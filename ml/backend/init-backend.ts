// One entry point deciding where tensors run: native TensorFlow if the user installed it (GPU
// path), else wasm with our training kernels, and the pure-JS cpu backend only on request
// (it is ~200x slower: a batch-64 ResNet step never finished in 31 minutes).
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core's node bundle registers no gradients; tfjs-layers' bundle does (side effect).
import '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-cpu';
import { availableParallelism } from 'node:os';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadNativeBackend } from './native-backend.js';
import { registerWasmTrainingKernels } from './register-wasm-training-kernels.js';
import { wasmBinaryDirectory } from './wasm-paths.js';

export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface InitBackendOptions {
  /** Preferred backend; falls through to the next one when unavailable. */
  prefer?: BackendName;
  /** Worker threads for wasm (ignored in Node today: tfjs forces wasm threads off there). */
  threads?: number;
  /** Where the one-line backend announcement goes. */
  log?: (line: string) => void;
}

export interface BackendInfo {
  name: BackendName;
  threads: number;
  version: string;
}

let announced: string | undefined;

function announce(info: BackendInfo, log: (line: string) => void): void {
  const line = `[ml] backend=${info.name} threads=${info.threads} tfjs=${info.version}`;
  if (announced === line) return;
  announced = line;
  log(line);
}

async function useNative(): Promise<boolean> {
  if ((await loadNativeBackend()) === undefined) return false;
  return tf.setBackend('tensorflow');
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
  const finish = (name: BackendName, threads: number): BackendInfo => {
    const info = { name, threads, version: tf.version_core };
    announce(info, log);
    return info;
  };
  if (prefer === 'tensorflow' && (await useNative())) return finish('tensorflow', availableParallelism());
  if (prefer !== 'cpu' && (await useWasm(opts.threads))) return finish('wasm', wasmThreads());
  if (await useCpu(prefer === 'cpu', log)) return finish('cpu', 1);
  throw new Error('no TensorFlow.js backend could be initialised');
}
