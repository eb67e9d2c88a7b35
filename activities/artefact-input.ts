import { z } from 'zod';
import { formatZodError } from '../config/errors.js';
import type { JsonFileName, JsonFileOf, OutputContracts } from '../pipelines/artefact-contract.js';
import type { ArtefactRef } from '../store/artefact-schema.js';
import {
  ArtefactCorruptError,
  type Bucket,
  downloadArtefactFile,
  readArtefactFile,
  readManifest,
} from '../store/artefacts.js';
import { StageFailure } from './stage-failure.js';
import type { LoadedInput } from './stage-types.js';

/**
 * Opens a published artefact for reading: its manifest must exist and match the reference's digest. With
 * its producer's output declaration, `readInputJson` reads its JSON files typed.
 */
export async function openArtefact<O extends OutputContracts>(
  bucket: Bucket,
  ref: ArtefactRef,
  contracts: O | undefined,
  label = `${ref.stage}/${ref.key}`,
): Promise<LoadedInput<O>> {
  const manifest = await readManifest(bucket, ref.stage, ref.key);
  if (!manifest) throw new ArtefactCorruptError(`${label} has no manifest`);
  if (manifest.digest !== ref.digest) {
    throw new ArtefactCorruptError(`${label}: digest ${manifest.digest} != ${ref.digest}`);
  }
  return {
    ref,
    manifest,
    contracts,
    read: (file) => readArtefactFile(bucket, manifest, file),
    download: (file, dest) => downloadArtefactFile(bucket, manifest, file, dest),
  };
}

/**
 * One JSON file of an input, parsed by the schema its producer declares for it (pipelines/stages.ts), so a
 * reader cannot drift from the writer: the file name and the result are typed by that declaration.
 */
export async function readInputJson<O extends OutputContracts, N extends JsonFileName<O>>(
  input: LoadedInput<O>,
  name: N,
): Promise<JsonFileOf<O, N>> {
  const where = `${name} of ${input.ref.stage}/${input.ref.key.slice(0, 12)}`;
  const schema: unknown = input.contracts?.[name];
  if (!(schema instanceof z.ZodType))
    throw new StageFailure(`${where}: its producer declares no JSON schema for it (pipelines/stages.ts)`);
  const parsed = schema.safeParse(JSON.parse((await input.read(name)).toString('utf8')));
  if (!parsed.success) throw new StageFailure(formatZodError(parsed.error, where));
  return parsed.data as JsonFileOf<O, N>;
}
