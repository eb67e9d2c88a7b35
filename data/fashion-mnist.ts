import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Where Debian's dataset-fashion-mnist package puts the idx files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses an idx file (big-endian header; uint8 payload only, which is all (Fashion-)MNIST uses). */
export function readIdx(bytes: Uint8Array): IdxArray {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new Error('not an idx file (bad magic)');
  if (buf[2] !== 0x08) throw new Error(`idx type 0x${buf[2]!.toString(16)} unsupported (only uint8, 0x08)`);
  const rank = buf[3]!;
  const dims = Array.from({ length: rank }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const start = 4 + 4 * rank;
  const count = dims.reduce((a, b) => a * b, 1);
  if (buf.length - start < count)
    throw new Error(`idx file truncated: need ${count} bytes, have ${buf.length - start}`);
  return { dims, data: new Uint8Array(buf.buffer, buf.byteOffset + start, count) };
}

export interface FashionMnist {
  /** count × 28 × 28 greyscale, garment bright on black. */
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Loads `train` (60k) or `t10k` (10k) from `dir`, accepting plain or gzipped idx files. */
export async function loadFashionMnist(
  dir: string = DEBIAN_FASHION_MNIST_DIR,
  set: 'train' | 't10k' = 'train',
): Promise<FashionMnist> {
  const images = readIdx(await readMaybeGzip(dir, `${set}-images-idx3-ubyte`));
  const labels = readIdx(await readMaybeGzip(dir, `${set}-labels-idx1-ubyte`));
  const [count, rows, cols] = images.dims;
  if (images.dims.length !== 3 || count === undefined || rows === undefined || cols === undefined) {
    throw new Error(`${set} images: expected a rank-3 idx, got dims ${JSON.stringify(images.dims)}`);
  }
  if (labels.dims[0] !== count) throw new Error(`${set}: ${count} images but ${labels.dims[0]} labels`);
  return { images: images.data, labels: labels.data, count, rows, cols };
}

/** The Debian folder if it is installed, else null (callers fall back to synthetic glyphs). */
export function findFashionMnist(dir: string = DEBIAN_FASHION_MNIST_DIR): string | null {
  const names = ['train-images-idx3-ubyte', 'train-images-idx3-ubyte.gz'];
  return names.some((name) => existsSync(path.join(dir, name))) ? dir : null;
}

async function readMaybeGzip(dir: string, base: string): Promise<Uint8Array> {
  for (const name of [base, `${base}.gz`]) {
    const file = path.join(dir, name);
    if (!existsSync(file)) continue;
    const bytes = await readFile(file);
    return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  }
  throw new Error(`${base}(.gz) not found in ${dir}: install dataset-fashion-mnist or pass its folder`);
}
