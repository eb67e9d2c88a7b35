import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RecordsSource } from '../../../data/ndjson-index.js';
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
    await downloadTo(input, f.name, dest);
  }
  return target;
}

/** One file of an input to a local path, streamed where the input can (sha256-verified either way). */
export async function downloadTo(input: LoadedInput, name: string, dest: string): Promise<void> {
  if (input.download) await input.download(name, dest);
  else await writeFile(dest, await input.read(name));
}

/**
 * An input's NDJSON records file, downloaded into `scratch` (streamed), as the source a records reader takes:
 * `count` from the header read just before, `step` the stage that writes it (for the fix in errors).
 */
export async function inputRecordsFile(
  input: LoadedInput,
  name: string,
  scratch: string,
  header: { count: number; step: string },
): Promise<RecordsSource> {
  const problem = artefactFileNameProblem(name);
  if (problem) throw new StageFailure(`records file ${JSON.stringify(name)}: ${problem}`);
  const dir = path.resolve(scratch, input.ref.stage, input.ref.key.slice(0, 16));
  const file = path.join(dir, name);
  await mkdir(path.dirname(file), { recursive: true });
  await downloadTo(input, name, file);
  return { file, step: header.step, count: header.count };
}

/** Lets CPU-bound loops breathe so heartbeats and cancellation get through between steps. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
