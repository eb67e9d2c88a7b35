import type { ingestStage } from '../../../pipelines/stages.js';
import type { LoadedInput } from '../../stage-types.js';
import { readInputJson } from './artefact-files.js';

type IngestInput = LoadedInput<(typeof ingestStage)['outputs']>;

export interface BoxLabels {
  classes: string[];
  /** boxId -> class index, for every box labels.csv labels (after matching). */
  labelOf: Map<string, number>;
}

/**
 * The labels of the run, joined to crops and features by box id: the crop and feature artefacts carry none,
 * so they stay cached when labels.csv changes.
 */
export async function readBoxLabels(ingest: IngestInput): Promise<BoxLabels> {
  const table = await readInputJson(ingest, 'boxes.json');
  return { classes: table.classes, labelOf: new Map(table.labels.map((l) => [l.boxId, l.label])) };
}

/** Labelled crops split by region: `test` the fixed test split, `train` what samples draw from. */
export function labelledSplits(
  entries: readonly { boxId: string; split: 'train' | 'test' | null }[],
  labels: BoxLabels,
): { train: { id: string; label: number }[]; test: { id: string; label: number }[] } {
  const train: { id: string; label: number }[] = [];
  const test: { id: string; label: number }[] = [];
  for (const e of entries) {
    const label = labels.labelOf.get(e.boxId);
    if (label !== undefined) (e.split === 'test' ? test : train).push({ id: e.boxId, label });
  }
  return { train, test };
}
