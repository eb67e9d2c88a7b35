import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';

/**
 * Appends lines to a label CSV without ever leaving a half-written one: a copy of the current file is kept
 * as `<file>.bak-<stamp>`, the new content is written to a temporary file beside it and renamed over the
 * original (atomic on one filesystem). Returns the backup's path.
 */
export async function appendLabelLines(
  file: string,
  lines: readonly string[],
  now = new Date(),
): Promise<string> {
  const current = await readFile(file, 'utf8');
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const backup = `${file}.bak-${stamp}`;
  await copyFile(file, backup);
  const separator = current.length === 0 || current.endsWith('\n') ? '' : '\n';
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, `${current}${separator}${lines.map((l) => `${l}\n`).join('')}`);
  await rename(temporary, file);
  return backup;
}
