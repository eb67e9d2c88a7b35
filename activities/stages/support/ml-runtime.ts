import { type BackendInfo, initBackend } from '../../../runtime/index.js';

let backend: Promise<BackendInfo> | undefined;

/** One backend choice per worker process (native tensorflow when installed, else wasm), logged once. */
export function ensureBackend(): Promise<BackendInfo> {
  backend ??= initBackend({ log: (line) => console.log(line) });
  return backend;
}

export function backendLabel(info: BackendInfo): string {
  return `${info.name} (${info.threads} thread${info.threads === 1 ? '' : 's'}, tfjs ${info.version})`;
}
