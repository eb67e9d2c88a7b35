import { decodeNpy } from '../../../data/npy.js';
import type { FeatureEntry, FeatureIndex } from '../../../pipelines/artefacts/feature-index-file.js';
import type { featuresStage } from '../../../pipelines/stages.js';
import type { LoadedInput } from '../../stage-types.js';
import { readInputJson } from './artefact-files.js';

export type { FeatureEntry, FeatureIndex };

type FeaturesInput = LoadedInput<(typeof featuresStage)['outputs']>;

export interface FeatureMatrix {
  dim: number;
  entries: FeatureEntry[];
  /** Row-major [entries.length, dim]. */
  values: Float32Array;
}

export async function readFeatureIndex(input: FeaturesInput): Promise<FeatureIndex> {
  return await readInputJson(input, 'index.json');
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
