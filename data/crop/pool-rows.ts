import path from 'node:path';
import type { ImageBatch } from '../../ml/swav/index.js';
import type { CropIndex } from './index-format.js';
import { readCropShard } from './index-format.js';

/** Crop pixels by pool row, for stages that must not hold the pool: `rows` copies out a range. */
export interface CropRowSource {
  /** Crop side in pixels (uint8 NHWC, 3 channels). */
  size: number;
  rows(start: number, count: number): Promise<Uint8Array>;
}

/**
 * Reads a pool's rows a shard at a time, in any order but fastest in row order: one shard is held (the last
 * one read), so memory is one shard plus the range asked for, whatever the pool's size. `fetch` makes a shard
 * file present first (an artefact input downloads it only when a row in it is wanted).
 */
export class ShardedCropRows implements CropRowSource {
  readonly size: number;
  private readonly starts: number[] = [];
  private held: { shard: number; pixels: Uint8Array } | undefined;

  constructor(
    private readonly dir: string,
    private readonly index: Pick<CropIndex, 'cropSize' | 'shards' | 'count'>,
    private readonly fetch: (file: string, dest: string) => Promise<void> = async () => undefined,
  ) {
    this.size = index.cropSize;
    let start = 0;
    for (const shard of index.shards) {
      this.starts.push(start);
      start += shard.rows;
    }
    if (start !== index.count)
      throw new Error(
        `crop index: its shards hold ${start} rows but it counts ${index.count}; re-run the crop step`,
      );
  }

  async rows(start: number, count: number): Promise<Uint8Array> {
    const per = this.size * this.size * 3;
    const out = new Uint8Array(count * per);
    let row = start;
    while (row < start + count) {
      const s = this.shardOf(row);
      const pixels = await this.shard(s);
      const from = row - this.starts[s]!;
      const take = Math.min(this.index.shards[s]!.rows - from, start + count - row);
      out.set(pixels.subarray(from * per, (from + take) * per), (row - start) * per);
      row += take;
    }
    return out;
  }

  private shardOf(row: number): number {
    if (row < 0 || row >= this.index.count)
      throw new RangeError(`crop row ${row} is outside the pool's ${this.index.count} rows`);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= row) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private async shard(s: number): Promise<Uint8Array> {
    if (this.held?.shard === s) return this.held.pixels;
    this.held = undefined;
    const { file, rows } = this.index.shards[s]!;
    await this.fetch(file, path.join(this.dir, file));
    const data = await readCropShard(this.dir, file);
    if (data.rows !== rows || data.size !== this.size)
      throw new Error(
        `${file}: ${data.rows} crops of ${data.size} px, the index says ${rows} of ${this.size}; re-run the crop step`,
      );
    this.held = { shard: s, pixels: data.pixels };
    return data.pixels;
  }
}

/** Rows read at once when gathering: long runs of consecutive rows are read in pieces of this size. */
const GATHER_RUN = 4096;

/**
 * The crops at `rows` (any order, repeats allowed) as one batch in that order, read in row order in runs of
 * consecutive rows, so a shard-at-a-time source reads each shard once: memory is the batch plus one run.
 */
export async function gatherRows(source: CropRowSource, rows: readonly number[]): Promise<ImageBatch> {
  const size = source.size;
  const per = size * size * 3;
  const pixels = new Uint8Array(rows.length * per);
  const byRow = rows.map((row, at) => ({ row, at })).sort((a, b) => a.row - b.row || a.at - b.at);
  for (let i = 0; i < byRow.length; ) {
    let j = i + 1;
    while (
      j < byRow.length &&
      byRow[j]!.row - byRow[i]!.row < GATHER_RUN &&
      byRow[j]!.row - byRow[j - 1]!.row <= 1
    )
      j++;
    const first = byRow[i]!.row;
    const run = await source.rows(first, byRow[j - 1]!.row - first + 1);
    for (let k = i; k < j; k++) {
      const { row, at } = byRow[k]!;
      pixels.set(run.subarray((row - first) * per, (row - first + 1) * per), at * per);
    }
    i = j;
  }
  return { pixels, n: rows.length, h: size, w: size, c: 3 };
}
