import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { collectRecords } from '../../../data/ndjson-index.js';
import { decodeNpy } from '../../../data/npy.js';
import {
  FEATURE_ENTRIES_FILE,
  type FeatureEntry,
  FeatureEntrySchema,
  type FeatureIndex,
} from '../../../pipelines/artefacts/feature-index-file.js';
import type { featuresStage } from '../../../pipelines/stages.js';
import type { LoadedInput } from '../../stage-types.js';
import { inputRecordsFile, readInputJson } from './artefact-files.js';

export type { FeatureEntry, FeatureIndex };

type FeaturesInput = LoadedInput<(typeof featuresStage)['outputs']>;

export interface FeatureMatrix {
  dim: number;
  entries: FeatureEntry[];
  /** Row-major [entries.length, dim]. */
  values: Float32Array;
}

/**
 * The header and every entry (streamed from index.ndjson, collected): heads and evaluation read every row's
 * features anyway. The records file goes through a temporary folder removed afterwards.
 */
export async function readFeatureIndex(input: FeaturesInput): Promise<FeatureIndex> {
  const header = await readInputJson(input, 'index.json');
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'shelfssl-feature-index-'));
  try {
    const source = await inputRecordsFile(input, FEATURE_ENTRIES_FILE, scratch, {
      count: header.count,
      step: 'features',
    });
    return { ...header, entries: await collectRecords(source, FeatureEntrySchema) };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Every crop's features as a single matrix (shards verified by sha256 as they download). */
export async function loadFeatures(input: FeaturesInput, index: FeatureIndex): Promise<FeatureMatrix> {
  const values = new Float32Array(index.count * index.dim);
  let offset = 0;
  for (const shard of index.shards) {
    const arr = decodeNpy(await input.read(shard.file));
    if (arr.dtype !== 'float32' || arr.shape[0] !== shard.rows || arr.shape[1] !== index.dim) {
      throw new Error(
        `${shard.file}: expected float32 [${shard.rows}, ${index.dim}], got ${arr.dtype} [${arr.shape}]`,
      );
    }
    values.set(arr.data as Float32Array, offset);
    offset += shard.rows * index.dim;
  }
  return { dim: index.dim, entries: index.entries, values };
}

/** Rows of `m` picked by predicate, as a new matrix. */
export function selectFeatureRows(
  m: FeatureMatrix,
  keep: (e: FeatureEntry, i: number) => boolean,
): FeatureMatrix {
  const rows = m.entries.map((e, i) => (keep(e, i) ? i : -1)).filter((i) => i >= 0);
  const values = new Float32Array(rows.length * m.dim);
  rows.forEach((r, i) => {
    values.set(m.values.subarray(r * m.dim, (r + 1) * m.dim), i * m.dim);
  });
  return { dim: m.dim, entries: rows.map((r) => m.entries[r]!), values };
}
