import { appendFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';

/**
 * "This week's" shelf photos: freshly generated shelves (another seed than training), their boxes as one CSV
 * beside the photos, two stores, and the damage real uploads bring: a malformed row, a row for a photo that
 * is not there, and a truncated photo. Returns the photo folder and how many good boxes it has.
 */
export async function newShelfPhotos(dir: string, seed = 23, images = 6) {
  const root = path.join(dir, 'generated');
  await makeShelves({ ...tinyShelvesOptions(root, seed, images), labelShare: 0 });
  const photos = path.join(root, 'images');
  const annotations = path.join(root, 'annotations');
  let csv = '';
  for (const f of (await readdir(annotations)).sort())
    csv += await readFile(path.join(annotations, f), 'utf8');
  const goodBoxes = csv.split('\n').filter((l) => l.trim() !== '').length;
  const names = (await readdir(photos)).sort();
  const broken = 'broken_0.jpg';
  const jpeg = await readFile(path.join(photos, names[0]!));
  await writeFile(path.join(photos, broken), jpeg.subarray(0, Math.floor(jpeg.length / 2)));
  await writeFile(path.join(photos, 'boxes.csv'), csv);
  await appendFile(
    path.join(photos, 'boxes.csv'),
    [
      `${names[0]},1,2,3`,
      'missing_9.jpg,10,10,40,40,object,240,180',
      `${broken},10,10,40,40,object,240,180`,
      `${broken},50,10,80,40,object,240,180`,
      '',
    ].join('\n'),
  );
  const stores = names.map((n, i) => `${n},${i % 2 === 0 ? 'berlin-mitte' : 'hamburg-nord'}`);
  await writeFile(path.join(photos, 'stores.csv'), `image,store\n${stores.join('\n')}\n`);
  await mkdir(dir, { recursive: true });
  return { photos, goodBoxes, images: names.length };
}
