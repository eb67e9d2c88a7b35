import { labelSeed, mulberry32, type Rng, shuffled } from '../../ml/random.js';
import { loadFashionMnist } from '../fashion-mnist.js';

export const ITEM_SIZE = 28;

/** Supplies 28×28 greyscale product artwork (bright on black) for a product class or a distractor. */
export interface ProductSource {
  readonly classCount: number;
  readonly distractorKinds: number;
  /** kind < classCount: a class; otherwise distractor number kind - classCount. */
  item(kind: number, rng: Rng): Uint8Array;
}

/**
 * Real Fashion-MNIST items. Each kind draws its images in a seeded shuffled order without repeats (until the
 * pool is used up), so no two products on the generated shelves share artwork in normal dataset sizes.
 */
export async function fashionMnistSource(
  dir: string,
  classLabels: readonly number[],
  distractorLabels: readonly number[],
  seed: number,
  split: 'train' | 't10k' = 'train',
): Promise<ProductSource> {
  const data = await loadFashionMnist(dir, split);
  const kinds = [...classLabels, ...distractorLabels];
  const pools = kinds.map((label) => {
    const ids: number[] = [];
    for (let i = 0; i < data.count; i++) if (data.labels[i] === label) ids.push(i);
    return shuffled(ids, mulberry32(labelSeed(seed, `fashion/${label}`)));
  });
  const cursors = kinds.map(() => 0);
  const pixels = data.rows * data.cols;
  return {
    classCount: classLabels.length,
    distractorKinds: distractorLabels.length,
    item: (kind) => {
      const pool = pools[kind]!;
      const id = pool[cursors[kind]! % pool.length]!;
      cursors[kind]!++;
      return data.images.slice(id * pixels, (id + 1) * pixels);
    },
  };
}

/**
 * Synthetic glyphs for tests and machines without the Debian package: one simple shape per class, with random
 * size, position, stroke and brightness so crops of one class are similar, not identical.
 */
export function glyphSource(classCount: number, distractorKinds = 1): ProductSource {
  if (classCount > GLYPHS.length)
    throw new Error(`tiny source has ${GLYPHS.length} glyph classes, asked ${classCount}`);
  return {
    classCount,
    distractorKinds,
    item: (kind, rng) => {
      const glyph = kind < classCount ? GLYPHS[kind]! : DISTRACTOR;
      const radius = rng.uniform(7, 12);
      const cx = 14 + rng.uniform(-2, 2);
      const cy = 14 + rng.uniform(-2, 2);
      const level = rng.intBetween(170, 255);
      const out = new Uint8Array(ITEM_SIZE * ITEM_SIZE);
      for (let y = 0; y < ITEM_SIZE; y++) {
        for (let x = 0; x < ITEM_SIZE; x++) {
          if (glyph((x + 0.5 - cx) / radius, (y + 0.5 - cy) / radius)) out[y * ITEM_SIZE + x] = level;
        }
      }
      return out;
    },
  };
}

/** Shapes in unit coordinates (|u|,|v| <= 1 is the glyph's box). */
type Glyph = (u: number, v: number) => boolean;
const GLYPHS: Glyph[] = [
  (u, v) => u * u + v * v <= 1, // disc
  (u, v) => Math.abs(u) <= 0.85 && Math.abs(v) <= 0.85, // square
  (u, v) => v <= 0.9 && v >= -0.9 && Math.abs(u) <= (v + 0.9) / 1.8, // triangle
  (u, v) => Math.abs(u) <= 0.9 && Math.abs(v) <= 0.9 && Math.floor((v + 0.9) * 2.5) % 2 === 0, // stripes
  (u, v) => (Math.abs(u) <= 0.3 && Math.abs(v) <= 0.95) || (Math.abs(v) <= 0.3 && Math.abs(u) <= 0.95), // plus
  (u, v) => Math.abs(u) + Math.abs(v) <= 1, // diamond
  (u, v) => Math.abs(u) <= 0.35 && Math.abs(v) <= 0.95, // bar
  (u, v) => v >= 0 && u * u + v * v <= 1, // half disc
];
const DISTRACTOR: Glyph = (u, v) => {
  const r = u * u + v * v;
  return r <= 1 && r >= 0.45; // ring
};
