import { mkdir, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type * as Minio from 'minio';

/** A dataset lives in a local directory or under an S3 prefix (`s3://bucket/prefix`). */
export type DatasetLocation = { kind: 'local'; dir: string } | { kind: 's3'; bucket: string; prefix: string };

export function parseLocation(location: string): DatasetLocation {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(location);
  if (m) return { kind: 's3', bucket: m[1]!, prefix: m[2]!.replace(/\/?$/, m[2] ? '/' : '') };
  return { kind: 'local', dir: path.resolve(location) };
}

export interface FingerprintEntry {
  name: string;
  size: number;
  version: string;
}

async function walk(dir: string, rel = ''): Promise<string[]> {
  const entries = await readdir(path.join(dir, rel), { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const r = path.join(rel, e.name);
    if (e.isDirectory()) out.push(...(await walk(dir, r)));
    else if (e.isFile()) out.push(r);
  }
  return out;
}

/** Names, sizes and versions (mtime or ETag) of every file: cheap, and changes whenever the data does. */
export async function fingerprintDataset(
  s3: Minio.Client,
  loc: DatasetLocation,
): Promise<FingerprintEntry[]> {
  if (loc.kind === 'local') {
    const files = (await walk(loc.dir)).sort();
    const out: FingerprintEntry[] = [];
    for (const f of files) {
      const st = await stat(path.join(loc.dir, f));
      out.push({ name: f.split(path.sep).join('/'), size: st.size, version: String(Math.trunc(st.mtimeMs)) });
    }
    return out;
  }
  const out: FingerprintEntry[] = [];
  for await (const item of s3.listObjectsV2(loc.bucket, loc.prefix, true)) {
    if (typeof item.name === 'string') {
      out.push({ name: item.name.slice(loc.prefix.length), size: item.size ?? 0, version: item.etag ?? '' });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** A local directory with the dataset: the directory itself, or the S3 prefix downloaded into scratch. */
export async function materialiseDataset(
  s3: Minio.Client,
  loc: DatasetLocation,
  scratchDir: string,
): Promise<string> {
  if (loc.kind === 'local') return loc.dir;
  const root = path.join(scratchDir, 'dataset');
  for (const entry of await fingerprintDataset(s3, loc)) {
    const dest = path.join(root, ...entry.name.split('/'));
    if (!dest.startsWith(root + path.sep)) continue; // a key that would escape the scratch folder
    await mkdir(path.dirname(dest), { recursive: true });
    await s3.fGetObject(loc.bucket, loc.prefix + entry.name, dest);
  }
  return root;
}
