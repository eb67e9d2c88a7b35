import { existsSync } from 'node:fs';
import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';

/**
 * Appends lines to a label CSV without ever leaving a half-written one: a copy of the current file is kept
 * as `<file>.bak-<stamp>`, the new content is written to a temporary file beside it and renamed over the
 * original (atomic on one filesystem). Returns the backup's path (null when there was no file yet).
 */
export async function appendLabelLines(
  file: string,
  lines: readonly string[],
  now = new Date(),
): Promise<string | null> {
  const current = existsSync(file) ? await readFile(file, 'utf8') : null;
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
  const backup = current === null ? null : `${file}.bak-${stamp}`;
  if (backup) await copyFile(file, backup);
  const before = current ?? '';
  const separator = before.length === 0 || before.endsWith('\n') ? '' : '\n';
  const temporary = `${file}.tmp-${process.pid}`;
  await writeFile(temporary, `${before}${separator}${lines.map((l) => `${l}\n`).join('')}`);
  await rename(temporary, file);
  return backup;
}
