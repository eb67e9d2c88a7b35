// The native TensorFlow binding is optional. Two ways to have it, tried in order:
//  - a user-installed @tensorflow/tfjs-node(-gpu) in the project's node_modules (stock prebuilt);
//  - native/tfjs-node/, built by `bash infra/setup-native.sh` against the TensorFlow C library of
//    the PyPI tensorflow-cpu wheel (tfjs-node's own installer downloads from a website: blocked here).
// Imported through variables so tsc neither needs their types nor fails when they are absent.
// Each registers the 'tensorflow' backend into the shared tfjs engine as a side effect.
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

export type NativePackage = (typeof NATIVE_PACKAGES)[number] | 'native/tfjs-node';

export interface NativeLoad {
  loaded?: NativePackage;
  /** Why nothing loaded, one reason per place tried (for skip messages and logs). */
  reasons: string[];
}

/** native/tfjs-node's module dir; this file sits at <root>/[dist/]runtime/. */
export function builtNativeModuleDir(): string | undefined {
  for (const up of ['../native', '../../native']) {
    const dir = fileURLToPath(
      new URL(`${up}/tfjs-node/node_modules/@tensorflow/tfjs-node/`, import.meta.url),
    );
    if (existsSync(`${dir}package.json`)) return dir;
  }
  return undefined;
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

async function tryImport(specifier: string, reasons: string[]): Promise<boolean> {
  try {
    await import(specifier);
    return true;
  } catch (err) {
    reasons.push(`${specifier}: ${firstLine(err)}`);
    return false;
  }
}

// TensorFlow's C++ logging prints INFO lines (oneDNN notice, CPU feature guard) at load; keep
// warnings and errors. Read from the environment by libtensorflow when it logs.
function quietTensorFlowLogs(): void {
  process.env['TF_CPP_MIN_LOG_LEVEL'] ??= '1';
}

// libtensorflow sizes its thread pools from these when the binding creates its eager context,
// which happens as the binding loads: they must be set before the import, and only then count.
function setThreadPools(threads: number | undefined): void {
  if (threads === undefined) return;
  process.env['TF_NUM_INTRAOP_THREADS'] ??= String(threads);
  process.env['TF_NUM_INTEROP_THREADS'] ??= String(threads);
}

/** Threads TensorFlow computes one op with: its env override, else one per core (its default). */
export function nativeThreads(): number {
  const fromEnv = Number(process.env['TF_NUM_INTRAOP_THREADS']);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : availableParallelism();
}

/** The TensorFlow C library's version behind the 'tensorflow' backend, if it is registered. */
export function nativeTensorFlowVersion(): string | undefined {
  const backend = tf.findBackend('tensorflow') as unknown as { binding?: { TF_Version?: unknown } } | null;
  const version = backend?.binding?.TF_Version;
  return typeof version === 'string' ? version : undefined;
}

let cached: Promise<NativeLoad> | undefined;

async function loadOnce(threads: number | undefined): Promise<NativeLoad> {
  quietTensorFlowLogs();
  setThreadPools(threads);
  const reasons: string[] = [];
  for (const name of NATIVE_PACKAGES) {
    if (await tryImport(name, reasons)) return { loaded: name, reasons };
  }
  const dir = builtNativeModuleDir();
  if (dir === undefined) {
    reasons.push('native/tfjs-node: not built (run `bash infra/setup-native.sh`)');
    return { reasons };
  }
  const entry = pathToFileURL(`${dir}dist/index.js`).href;
  if (await tryImport(entry, reasons)) return { loaded: 'native/tfjs-node', reasons };
  return { reasons };
}

/**
 * Loads the first native binding that imports (once per process: a binding cannot load twice, so
 * `threads` only counts on the first call).
 */
export function loadNativeBackendDetailed(threads?: number): Promise<NativeLoad> {
  cached ??= loadOnce(threads);
  return cached;
}

/** Loads the first native binding that imports; it registers the 'tensorflow' backend itself. */
export async function loadNativeBackend(threads?: number): Promise<NativePackage | undefined> {
  return (await loadNativeBackendDetailed(threads)).loaded;
}
