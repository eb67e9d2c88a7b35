import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type PredictSummaryFile,
  PredictSummaryFileSchema,
} from '../../../pipelines/artefacts/predict-files.js';
import { predictMergeStage } from '../../../pipelines/predict.js';
import type { ArtefactRef } from '../../../store/artefact-schema.js';
import { type Bucket, readArtefactFile, readManifest } from '../../../store/artefacts.js';

/** Downloads every file of the merge artefact (sha256-checked) into `out`; returns the parsed summary. */
export async function downloadPredictOutputs(
  b: Bucket,
  merge: ArtefactRef,
  out: string,
): Promise<{ files: string[]; summary: PredictSummaryFile }> {
  const manifest = await readManifest(b, merge.stage, merge.key);
  if (!manifest) throw new Error(`predict result ${merge.key} is gone from the store; run predict again`);
  await mkdir(out, { recursive: true });
  const files: string[] = [];
  let summary: PredictSummaryFile | undefined;
  for (const name of Object.keys(predictMergeStage.outputs)) {
    const data = await readArtefactFile(b, manifest, name);
    const target = path.join(out, name);
    await writeFile(target, data);
    files.push(target);
    if (name === 'summary.json') summary = PredictSummaryFileSchema.parse(JSON.parse(data.toString('utf8')));
  }
  if (!summary) throw new Error('predict result has no summary.json');
  return { files, summary };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** What a user reads after a predict run: counts, the class mix, and every kind of rejected input. */
export function predictSummaryLines(s: PredictSummaryFile): string[] {
  const lines = [
    `classified ${s.counts.boxes} boxes on ${s.counts.images} images` +
      (s.counts.stores > 0 ? ` in ${s.counts.stores} stores` : '') +
      ` (${s.counts.unknown} unknown: confidence below ${s.unknownBelow})`,
    `shelf share ${Object.entries(s.perClass)
      .map(([c, n]) => `${c} ${pct(n / Math.max(1, s.counts.boxes))}`)
      .join(', ')}`,
  ];
  const bad = Object.entries(s.bad);
  lines.push(
    bad.length === 0
      ? `rejected input: none (${s.counts.rows} box rows read)`
      : `rejected input: ${s.counts.badRows} of ${s.counts.rows} box rows, by reason:`,
  );
  for (const [reason, r] of bad) {
    const e = r.examples[0];
    lines.push(`  ${reason}: ${r.count}${e ? ` e.g. ${e.file}:${e.line} (${e.detail})` : ''}`);
  }
  for (const [reason, r] of Object.entries(s.warnings)) lines.push(`  warning ${reason}: ${r.count}`);
  return lines;
}
