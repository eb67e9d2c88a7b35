import { type FileHandle, mkdir, open, rename } from 'node:fs/promises';
import path from 'node:path';
import { npyHeader } from '../npy.js';
import type { CropIndex, CropIndexEntry, Pool } from './index-format.js';

export type PoolMeta = Omit<CropIndex, 'shards' | 'count' | 'entries' | 'pool'>;

/**
 * Appends crops to one pool: fills a shard buffer, writes it out as `.npy` when full, and streams index
 * entries to `index.json` as it goes, so memory stays at one shard whatever the dataset size. The index is
 * written under a temporary name and renamed at the end, so a crashed run never leaves a plausible index.
 */
export class PoolWriter {
  private readonly rowBytes: number;
  private readonly buffer: Uint8Array;
  private rows = 0;
  private count = 0;
  private readonly shards: Array<{ file: string; rows: number }> = [];
  private pendingEntries: string[] = [];
  private index: FileHandle | null = null;
  private firstEntry = true;

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
    this.index = await open(path.join(this.dir, 'index.json.partial'), 'w');
    const head = JSON.stringify({ ...this.meta, pool: this.pool });
    await this.index.write(`${head.slice(0, -1)},"entries":[`);
  }

  /** `pixels` holds one crop (S×S×3) at `offset`. */
  async add(pixels: Uint8Array, offset: number, entry: Omit<CropIndexEntry, 'shard' | 'row'>): Promise<void> {
    this.buffer.set(pixels.subarray(offset, offset + this.rowBytes), this.rows * this.rowBytes);
    const full: CropIndexEntry = { ...entry, shard: this.shardName(this.shards.length), row: this.rows };
    this.pendingEntries.push(JSON.stringify(full));
    this.rows++;
    this.count++;
    if (this.rows === this.shardSize) await this.flush();
  }

  async close(): Promise<{ count: number; shards: Array<{ file: string; rows: number }> }> {
    await this.flush();
    const handle = this.requireIndex();
    await handle.write(`\n],"shards":${JSON.stringify(this.shards)},"count":${this.count}}\n`);
    await handle.close();
    await rename(path.join(this.dir, 'index.json.partial'), path.join(this.dir, 'index.json'));
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
    const separator = this.firstEntry ? '\n' : ',\n';
    await this.requireIndex().write(separator + this.pendingEntries.join(',\n'));
    this.firstEntry = false;
    this.pendingEntries = [];
    this.rows = 0;
  }

  private requireIndex(): FileHandle {
    if (!this.index) throw new Error('PoolWriter used before open()');
    return this.index;
  }

  private shardName(n: number): string {
    return `shard-${String(n).padStart(5, '0')}.npy`;
  }
}
