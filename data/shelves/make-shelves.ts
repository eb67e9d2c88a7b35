import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { labelSeed, mulberry32, shuffled } from '../../ml/random.js';
import { DEFAULT_CLASSES, DEFAULT_FASHION_DISTRACTORS, DEFAULT_FASHION_MAPPING } from '../classes.js';
import { DEBIAN_FASHION_MNIST_DIR } from '../fashion-mnist.js';
import { SPLITS, type Split } from '../sku110k/types.js';
import { composeShelf, type PlacedProduct } from './compose-shelf.js';
import { fashionMnistSource, glyphSource, type ProductSource } from './product-source.js';

export const makeShelvesOptionsSchema = z.object({
  out: z.string().min(1, 'out: the folder to write images/, annotations/ and labels.csv into'),
  images: z.number().int().min(1, 'images: how many shelf images to generate, e.g. 100'),
  seed: z.number().int('seed must be an integer'),
  /** `fashion-mnist`: real garments from Debian's dataset-fashion-mnist. `tiny`: synthetic glyphs, no package. */
  source: z.enum(['fashion-mnist', 'tiny']).default('fashion-mnist'),
  fashionMnistDir: z.string().default(DEBIAN_FASHION_MNIST_DIR),
  /** Which Fashion-MNIST images: `train` (60k) or `t10k` (10k), so a source set and a target set share none. */
  fashionMnistSplit: z.enum(['train', 't10k']).default('train'),
  /** Product class name → Fashion-MNIST label (ignored by `tiny`, which uses one glyph per name). */
  classes: z
    .record(z.string().min(1), z.number().int().min(0).max(9, 'Fashion-MNIST labels are 0–9'))
    .default({ ...DEFAULT_FASHION_MAPPING }),
  /** Fashion-MNIST labels drawn as unlabelled distractor products. */
  distractors: z.array(z.number().int().min(0).max(9)).default([...DEFAULT_FASHION_DISTRACTORS]),
  distractorShare: z.number().min(0).max(1).default(0.15),
  labelShare: z
    .number()
    .min(0)
    .max(1, 'labelShare: fraction of class boxes written to labels.csv')
    .default(0.3),
  width: z.number().int().min(64).default(640),
  height: z.number().int().min(64).default(480),
  productSize: z
    .tuple([z.number().int().min(8), z.number().int().min(8)])
    .refine(([a, b]) => a <= b, 'productSize: [min, max] with min <= max')
    .default([40, 90]),
  splits: z
    .object({ train: z.number().min(0), val: z.number().min(0), test: z.number().min(0) })
    .refine((s) => s.train + s.val + s.test > 0, 'splits: shares must not all be 0')
    .default({ train: 0.7, val: 0.1, test: 0.2 }),
  jpegQuality: z.number().int().min(1).max(100).default(90),
  /** 0: the demo's pale cards; up to 1: cards of any colour and uneven light (see composeShelf). */
  colourVariation: z.number().min(0).max(1, 'colourVariation: 0 (pale cards) to 1 (any colour)').default(0),
});
export type MakeShelvesOptions = z.input<typeof makeShelvesOptionsSchema>;

export interface MakeShelvesResult {
  root: string;
  classes: string[];
  images: Record<Split, number>;
  boxes: number;
  classBoxes: number;
  distractorBoxes: number;
  labelled: number;
  labelledPerClass: Record<string, number>;
}

/**
 * Options for the dependency-free variant used by unit tests: small images and synthetic glyph products.
 * `classes` names the products (one glyph each) as labels.csv will call them.
 */
export function tinyShelvesOptions(
  out: string,
  seed: number,
  images = 6,
  classes: readonly string[] = DEFAULT_CLASSES,
): MakeShelvesOptions {
  return {
    out,
    seed,
    images,
    source: 'tiny',
    width: 240,
    height: 180,
    productSize: [28, 48],
    classes: Object.fromEntries(classes.map((name, i) => [name, i])),
    // The tiny source has one distractor glyph (a ring); any non-empty list switches it on.
    distractors: [9],
    distractorShare: 0.15,
  };
}

/**
 * SKU110K-sized shelves: 3000×4000 photos with ~150 products of 100–420 px a side (SKU110K averages ~147 boxes on
 * photos of several megapixels) and colourful packaging, for the crop and scale benchmarks.
 */
export function largeShelvesOptions(out: string, seed: number, images: number): MakeShelvesOptions {
  return {
    out,
    seed,
    images,
    width: 3000,
    height: 4000,
    productSize: [200, 420],
    colourVariation: 0.8,
    jpegQuality: 85,
  };
}

interface ShelfRecord {
  split: Split;
  name: string;
  products: PlacedProduct[];
}

/**
 * Generates an SKU110K-format shelf dataset: `images/{split}_{i}.jpg`, `annotations/annotations_{split}.csv`
 * (class `object`, no header) and `labels.csv` (same columns, class = product class name) labelling
 * `labelShare` of the class boxes. Distractor products (other Fashion-MNIST classes) are annotated as boxes
 * but never labelled: they stand in for the unrelated products on real shelves. Same seed, same bytes.
 */
export async function makeShelves(options: MakeShelvesOptions): Promise<MakeShelvesResult> {
  const opts = makeShelvesOptionsSchema.parse(options);
  const classNames = Object.keys(opts.classes);
  const source = await productSource(opts, classNames);
  await mkdir(path.join(opts.out, 'images'), { recursive: true });
  await mkdir(path.join(opts.out, 'annotations'), { recursive: true });
  const rng = mulberry32(labelSeed(opts.seed, 'shelves'));
  const perSplit = splitCounts(opts.images, opts.splits);
  const records: ShelfRecord[] = [];
  for (const split of SPLITS) {
    for (let i = 0; i < perSplit[split]; i++) {
      const { canvas, products } = composeShelf(rng, source, {
        width: opts.width,
        height: opts.height,
        productSize: opts.productSize,
        distractorShare: opts.distractorShare,
        colourVariation: opts.colourVariation,
      });
      const name = `${split}_${i}.jpg`;
      const jpeg = await sharp(canvas.pixels, {
        raw: { width: canvas.width, height: canvas.height, channels: 3 },
      })
        .jpeg({ quality: opts.jpegQuality })
        .toBuffer();
      await writeFile(path.join(opts.out, 'images', name), jpeg);
      records.push({ split, name, products });
    }
  }
  for (const split of SPLITS) {
    const lines = records
      .filter((r) => r.split === split)
      .flatMap((r) => r.products.map((p) => csvLine(r.name, p, 'object', opts.width, opts.height)));
    await writeFile(path.join(opts.out, 'annotations', `annotations_${split}.csv`), joinLines(lines));
  }
  const labelled = chooseLabelled(records, opts.labelShare, opts.seed);
  const labelLines: string[] = [];
  const labelledPerClass = Object.fromEntries(classNames.map((name) => [name, 0]));
  for (const r of records) {
    r.products.forEach((p, i) => {
      if (p.classIndex === null || !labelled.has(`${r.name}#${i}`)) return;
      const className = classNames[p.classIndex]!;
      labelledPerClass[className]!++;
      labelLines.push(csvLine(r.name, p, className, opts.width, opts.height));
    });
  }
  await writeFile(path.join(opts.out, 'labels.csv'), joinLines(labelLines));
  const all = records.flatMap((r) => r.products);
  const classBoxes = all.filter((p) => p.classIndex !== null).length;
  const result: MakeShelvesResult = {
    root: opts.out,
    classes: classNames,
    images: perSplit,
    boxes: all.length,
    classBoxes,
    distractorBoxes: all.length - classBoxes,
    labelled: labelLines.length,
    labelledPerClass,
  };
  await writeFile(
    path.join(opts.out, 'shelves.json'),
    `${JSON.stringify({ generator: 'shelfssl makeShelves', options: { ...opts, out: undefined }, result }, null, 2)}\n`,
  );
  return result;
}

async function productSource(
  opts: z.infer<typeof makeShelvesOptionsSchema>,
  classNames: string[],
): Promise<ProductSource> {
  if (opts.source === 'tiny') return glyphSource(classNames.length, opts.distractors.length > 0 ? 1 : 0);
  const labels = Object.values(opts.classes);
  // A garment mapped to a class is a product, never an (unlabelled) distractor of itself.
  const distractors = opts.distractors.filter((label) => !labels.includes(label));
  return fashionMnistSource(opts.fashionMnistDir, labels, distractors, opts.seed, opts.fashionMnistSplit);
}

/** Image counts per split from shares; rounding leftovers go to the largest share so the total is exact. */
function splitCounts(total: number, shares: Record<Split, number>): Record<Split, number> {
  const sum = shares.train + shares.val + shares.test;
  const counts = Object.fromEntries(SPLITS.map((s) => [s, Math.floor((total * shares[s]) / sum)])) as Record<
    Split,
    number
  >;
  const largest = [...SPLITS].sort((a, b) => shares[b] - shares[a])[0]!;
  counts[largest] += total - (counts.train + counts.val + counts.test);
  return counts;
}

function chooseLabelled(records: readonly ShelfRecord[], share: number, seed: number): Set<string> {
  const ids = records.flatMap((r) =>
    r.products.flatMap((p, i) => (p.classIndex === null ? [] : [`${r.name}#${i}`])),
  );
  const take = Math.round(ids.length * share);
  return new Set(shuffled(ids, mulberry32(labelSeed(seed, 'labels'))).slice(0, take));
}

function csvLine(image: string, p: PlacedProduct, className: string, width: number, height: number): string {
  return `${image},${p.x1},${p.y1},${p.x2},${p.y2},${className},${width},${height}`;
}

function joinLines(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
