import { realpath } from 'node:fs/promises';
import path from 'node:path';

export type SafePath = { ok: true; path: string } | { ok: false; detail: string };

/**
 * Resolves an image name from a CSV inside `imagesDir`, refusing anything that could read outside it:
 * absolute paths, `..` segments, NUL bytes, backslashes (Windows separators). Lexical check only; see
 * `resolveExistingInside` for the symlink-aware check done before reading.
 */
export function resolveImageName(imagesDir: string, name: string): SafePath {
  if (name.includes('\0')) return { ok: false, detail: 'image name contains a NUL byte' };
  if (name.includes('\\'))
    return { ok: false, detail: 'image name contains a backslash; use a plain file name' };
  if (path.isAbsolute(name))
    return { ok: false, detail: 'image name is an absolute path; use a name relative to images/' };
  const resolved = path.resolve(imagesDir, name);
  if (!isInside(imagesDir, resolved)) return { ok: false, detail: 'image name escapes the images/ folder' };
  return { ok: true, path: resolved };
}

/** Follows symlinks, then checks again: a link inside images/ that points elsewhere is refused, not read. */
export async function resolveExistingInside(
  imagesDir: string,
  candidate: string,
): Promise<SafePath | 'missing'> {
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return 'missing';
  }
  const realDir = await realpath(imagesDir);
  if (!isInside(realDir, real))
    return { ok: false, detail: 'image is a link that points outside the images/ folder' };
  return { ok: true, path: real };
}

function isInside(dir: string, target: string): boolean {
  const rel = path.relative(path.resolve(dir), path.resolve(target));
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
}
