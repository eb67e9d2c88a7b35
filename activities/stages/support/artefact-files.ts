import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isInside } from '../../../data/sku110k/safe-path.js';
import { artefactFileNameProblem } from '../../../store/file-name.js';
import { StageFailure } from '../../stage-failure.js';
import type { LoadedInput } from '../../stage-types.js';

export { readInputJson } from '../../artefact-input.js';

/**
 * Downloads (and sha256-verifies) every file of an input under `prefix` into `dir`, keeping relative paths.
 * The names come from a manifest read from the bucket: each is checked again here, and its local path must
 * stay inside `dir`, so no manifest can make a worker write elsewhere.
 */
export async function downloadInputFiles(
  input: LoadedInput,
  prefix: string,
  dir: string,
  keep: (name: string) => boolean = () => true,
): Promise<string> {
  const root = path.resolve(dir, input.ref.stage);
  const target = path.join(root, prefix);
  for (const f of input.manifest.files.filter((x) => x.name.startsWith(`${prefix}/`) && keep(x.name))) {
    const dest = path.resolve(root, f.name);
    const problem = artefactFileNameProblem(f.name);
    if (problem || !isInside(root, dest)) {
      throw new StageFailure(
        `input ${input.ref.stage}/${input.ref.key.slice(0, 12)} names file ${JSON.stringify(f.name)}, ` +
          `which is not a plain relative name (${problem ?? 'leaves the scratch folder'}); not written`,
      );
    }
    await mkdir(path.dirname(dest), { recursive: true });
    await writeFile(dest, await input.read(f.name));
  }
  return target;
}

/** Lets CPU-bound loops breathe so heartbeats and cancellation get through between steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
