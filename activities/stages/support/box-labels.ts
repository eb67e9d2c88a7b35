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

type Splits = { train: { id: string; label: number }[]; test: { id: string; label: number }[] };
type SplitEntry = { boxId: string; split: 'train' | 'test' | null };

/**
 * Labelled crops split by region: `test` the fixed test split, `train` what samples draw from. Entries may
 * stream (the crop index's index.ndjson): only the labelled ones are kept.
 */
export function labelledSplits(entries: Iterable<SplitEntry>, labels: BoxLabels): Splits;
export function labelledSplits(entries: AsyncIterable<SplitEntry>, labels: BoxLabels): Promise<Splits>;
export function labelledSplits(
  entries: Iterable<SplitEntry> | AsyncIterable<SplitEntry>,
  labels: BoxLabels,
): Splits | Promise<Splits> {
  const splits: Splits = { train: [], test: [] };
  const add = (e: SplitEntry) => {
    const label = labels.labelOf.get(e.boxId);
    if (label !== undefined) (e.split === 'test' ? splits.test : splits.train).push({ id: e.boxId, label });
  };
  if (Symbol.asyncIterator in entries) {
    return (async () => {
      for await (const e of entries) add(e);
      return splits;
    })();
  }
  for (const e of entries) add(e);
  return splits;
}
