import { constants } from 'node:fs';
import { open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export type SafePath = { ok: true; path: string } | { ok: false; detail: string };

/** How messages name the file and its folder: images of a CSV by default, any confined file otherwise. */
export interface PathWording {
  thing: string;
  folder: string;
}
export const IMAGE_WORDING: PathWording = { thing: 'image', folder: 'the images/ folder' };

/**
 * Resolves an image name from a CSV inside `imagesDir`, refusing anything that could read outside it:
 * absolute paths, `..` segments, NUL bytes, backslashes (Windows separators). Lexical check only; see
 * `resolveExistingInside` for the symlink-aware check done before reading.
 */
export function resolveImageName(imagesDir: string, name: string, w: PathWording = IMAGE_WORDING): SafePath {
  if (name.includes('\0')) return { ok: false, detail: `${w.thing} name contains a NUL byte` };
  if (name.includes('\\'))
    return { ok: false, detail: `${w.thing} name contains a backslash; use a plain file name` };
  if (path.isAbsolute(name))
    return { ok: false, detail: `${w.thing} name is an absolute path; use a name relative to ${w.folder}` };
  const resolved = path.resolve(imagesDir, name);
  if (!isInside(imagesDir, resolved)) return { ok: false, detail: `${w.thing} name escapes ${w.folder}` };
  return { ok: true, path: resolved };
}

/** Follows symlinks, then checks again: a link inside images/ that points elsewhere is refused, not read. */
export async function resolveExistingInside(
  imagesDir: string,
  candidate: string,
  w: PathWording = IMAGE_WORDING,
): Promise<SafePath | 'missing'> {
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return 'missing';
  }
  const realDir = await realpath(imagesDir);
  if (!isInside(realDir, real))
    return { ok: false, detail: `${w.thing} is a link that points outside ${w.folder}` };
  return { ok: true, path: real };
}

/** True when `target` lies strictly below `dir` (both resolved; no symlink resolution). */
export function isInside(dir: string, target: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(target));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}

export type ConfinedFile =
  | { ok: true; path: string; size: number }
  | { ok: false; reason: 'missing' | 'unsafe' | 'not_regular'; detail: string };

/**
 * The one check before reading a file named by a config, a CSV or a model: `name` is relative, stays inside
 * `root` lexically and after following symlinks, and is a regular file (a FIFO or device would block a read
 * or never end it).
 */
export async function confinedFile(root: string, name: string, w: PathWording): Promise<ConfinedFile> {
  const lexical = resolveImageName(root, name, w);
  if (!lexical.ok) return { ok: false, reason: 'unsafe', detail: lexical.detail };
  const real = await resolveExistingInside(root, lexical.path, w);
  if (real === 'missing')
    return { ok: false, reason: 'missing', detail: `no ${w.thing} ${name} in ${w.folder}` };
  if (!real.ok) return { ok: false, reason: 'unsafe', detail: real.detail };
  const st = await stat(real.path);
  if (!st.isFile())
    return { ok: false, reason: 'not_regular', detail: `${w.thing} ${name} is not a regular file; not read` };
  return { ok: true, path: real.path, size: st.size };
}

/**
 * Opening flags for a file already checked by `confinedFile`: no following a link swapped in since, and no
 * blocking on a FIFO swapped in since (the read then fails instead of waiting for a writer).
 */
export const CHECKED_OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Reads a checked file whole, refusing (undefined) anything that is not, when opened, a regular file. */
export async function readCheckedFile(file: string): Promise<Buffer | undefined> {
  const handle = await open(file, CHECKED_OPEN_FLAGS);
  try {
    if (!(await handle.stat()).isFile()) return undefined;
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}
