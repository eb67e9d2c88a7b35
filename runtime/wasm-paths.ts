// setWasmPaths needs the directory holding the .wasm binaries, with a trailing slash; resolving
// through the package keeps it right under npm hoisting, pnpm and dist/ relocation alike.
import { createRequire } from 'node:module';
import path from 'node:path';

export function wasmBinaryDirectory(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@tensorflow/tfjs-backend-wasm');
  return `${path.dirname(entry)}${path.sep}`;
}
