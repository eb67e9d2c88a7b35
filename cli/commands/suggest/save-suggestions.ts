import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Settings } from '../../../config/settings.js';
import { SUGGEST_NODE } from '../../../pipelines/suggest-plan.js';
import { bucketOf, readArtefactFile, readManifest } from '../../../store/artefacts.js';
import type { PipelineRunResult } from '../../../workflows/run-result.js';

export const SUGGESTION_FILES = ['to-label.csv', 'contact-sheet.png', 'suggestions.json'] as const;

/** Copies the suggest artefact's files (sha256 checked against its manifest) into `outDir`. */
export async function saveSuggestions(
  settings: Settings,
  result: PipelineRunResult,
  outDir: string,
): Promise<string[]> {
  const ref = result.refs[SUGGEST_NODE];
  if (!ref)
    throw new Error(
      `the run has no ${SUGGEST_NODE} artefact (nodes: ${Object.keys(result.refs).join(', ')})`,
    );
  const bucket = bucketOf(settings);
  const manifest = await readManifest(bucket, ref.stage, ref.key);
  if (!manifest) throw new Error(`suggest artefact ${ref.key} is gone from the store; run suggest again`);
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const name of SUGGESTION_FILES) {
    const target = path.resolve(outDir, name);
    await writeFile(target, await readArtefactFile(bucket, manifest, name));
    written.push(target);
  }
  return written;
}
