import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedInput } from '../../stage-types.js';

export { readInputJson } from '../../artefact-input.js';

/** Downloads (and sha256-verifies) every file of an input under `prefix` into `dir`, keeping relative paths. */
export async function downloadInputFiles(
  input: LoadedInput,
  prefix: string,
  dir: string,
  keep: (name: string) => boolean = () => true,
): Promise<string> {
  const target = path.join(dir, input.ref.stage, prefix);
  for (const f of input.manifest.files.filter((x) => x.name.startsWith(`${prefix}/`) && keep(x.name))) {
    const dest = path.join(dir, input.ref.stage, f.name);
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(dest, await input.read(f.name));
  }
  return target;
}

/** Lets CPU-bound loops breathe so heartbeats and cancellation get through between steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
