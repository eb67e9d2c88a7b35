import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

/** A colour cast for generated shelves: hue rotation in degrees and a saturation factor (1 = unchanged). */
export interface ShelfTint {
  hue: number;
  saturation: number;
}

/**
 * Re-colours every shelf photo in `<root>/images` in place (boxes and labels are unchanged), so a benchmark
 * can check a recipe on products whose colours differ from the demo's, with the same generator.
 */
export async function tintShelfImages(root: string, tint: ShelfTint): Promise<number> {
  const dir = path.join(root, 'images');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.jpg')).sort();
  for (const name of names) {
    const file = path.join(dir, name);
    const out = await sharp(await readFile(file))
      .modulate({ hue: tint.hue, saturation: tint.saturation })
      .jpeg({ quality: 90 })
      .toBuffer();
    await writeFile(file, out);
  }
  return names.length;
}
