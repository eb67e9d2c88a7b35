import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Takes the last `count` photos (by name) out of a generated dataset, with their annotation and label rows,
 * and returns a function that puts them back: last week's dataset, then this week's with new photos.
 */
export async function holdBackPhotos(
  root: string,
  count: number,
): Promise<{ photos: string[]; restore: () => Promise<void> }> {
  const names = (await readdir(path.join(root, 'images'))).filter((f) => f.endsWith('.jpg')).sort();
  const photos = names.slice(names.length - count);
  const held = new Set(photos);
  const texts: Record<string, string> = {};
  const csvs = (await readdir(path.join(root, 'annotations'))).map((f) => path.join('annotations', f));
  for (const file of [...csvs, 'labels.csv']) {
    const text = await readFile(path.join(root, file), 'utf8');
    texts[file] = text;
    const kept = text.split('\n').filter((l) => l.length > 0 && !held.has(l.slice(0, l.indexOf(','))));
    await writeFile(path.join(root, file), kept.length === 0 ? '' : `${kept.join('\n')}\n`);
  }
  const images = new Map<string, Buffer>();
  for (const p of photos) {
    images.set(p, await readFile(path.join(root, 'images', p)));
    await rm(path.join(root, 'images', p));
  }
  const restore = async () => {
    for (const [p, data] of images) await writeFile(path.join(root, 'images', p), data);
    for (const [file, text] of Object.entries(texts)) await writeFile(path.join(root, file), text);
  };
  return { photos, restore };
}
