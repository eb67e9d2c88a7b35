import { mkdir, open, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NdjsonWriter } from '../ndjson-index.js';
import { npyHeader } from '../npy.js';
import {
  CROP_ENTRIES_FILE,
  CROP_INDEX_FILE,
  type CropIndex,
  type CropIndexEntry,
  type Pool,
} from './index-format.js';

export type PoolMeta = Omit<CropIndex, 'shards' | 'count' | 'pool'>;

/**
 * Appends crops to one pool: fills a shard buffer, writes it out as `.npy` when full, and streams index
 * entries to `index.ndjson` as it goes, so memory stays at one shard whatever the dataset size. The header
 * `index.json` (shards, count) is written last, after the entries are renamed into place, so a crashed run
 * never leaves a plausible index.
 */
export class PoolWriter {
  private readonly rowBytes: number;
  private readonly buffer: Uint8Array;
  private rows = 0;
  private count = 0;
  private readonly shards: Array<{ file: string; rows: number }> = [];
  private pendingEntries: CropIndexEntry[] = [];
  private entries: NdjsonWriter<CropIndexEntry> | null = null;

  constructor(
    readonly dir: string,
    readonly pool: Pool,
    private readonly meta: PoolMeta,
    private readonly shardSize: number,
  ) {
    this.rowBytes = meta.cropSize * meta.cropSize * 3;
    this.buffer = new Uint8Array(shardSize * this.rowBytes);
  }

  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    this.entries = await NdjsonWriter.open(path.join(this.dir, `${CROP_ENTRIES_FILE}.partial`));
  }

  /** `pixels` holds one crop (S×S×3) at `offset`. */
  async add(pixels: Uint8Array, offset: number, entry: Omit<CropIndexEntry, 'shard' | 'row'>): Promise<void> {
    this.buffer.set(pixels.subarray(offset, offset + this.rowBytes), this.rows * this.rowBytes);
    const full: CropIndexEntry = { ...entry, shard: this.shardName(this.shards.length), row: this.rows };
    this.pendingEntries.push(full);
    this.rows++;
    this.count++;
    if (this.rows === this.shardSize) await this.flush();
  }

  async close(): Promise<{ count: number; shards: Array<{ file: string; rows: number }> }> {
    await this.flush();
    await this.requireEntries().close();
    await rename(path.join(this.dir, `${CROP_ENTRIES_FILE}.partial`), path.join(this.dir, CROP_ENTRIES_FILE));
    const header: CropIndex = { ...this.meta, pool: this.pool, shards: this.shards, count: this.count };
    await writeFile(path.join(this.dir, CROP_INDEX_FILE), `${JSON.stringify(header)}\n`);
    return { count: this.count, shards: this.shards };
  }

  private async flush(): Promise<void> {
    if (this.rows === 0) return;
    const file = this.shardName(this.shards.length);
    const { cropSize } = this.meta;
    const shard = await open(path.join(this.dir, file), 'w');
    try {
      await shard.write(npyHeader('uint8', [this.rows, cropSize, cropSize, 3]));
      await shard.write(this.buffer.subarray(0, this.rows * this.rowBytes));
    } finally {
      await shard.close();
    }
    this.shards.push({ file, rows: this.rows });
    const entries = this.requireEntries();
    for (const entry of this.pendingEntries) await entries.write(entry);
    this.pendingEntries = [];
    this.rows = 0;
  }

  private requireEntries(): NdjsonWriter<CropIndexEntry> {
    if (!this.entries) throw new Error('PoolWriter used before open()');
    return this.entries;
  }

  private shardName(n: number): string {
    return `shard-${String(n).padStart(5, '0')}.npy`;
  }
}
