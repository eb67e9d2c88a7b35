import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { z } from 'zod';
import { DEFAULT_CLASSES } from './classes.js';
import { decodeRgb } from './crop/extract-crops.js';
import { type CropIndexEntry, readCropShard } from './crop/index-format.js';
import { readCropIndexWithEntries } from './crop/load-pool.js';
import { readLabelCsv } from './labels/read-label-csv.js';
import { createCanvas, fillRect, type Rgb, type RgbCanvas, strokeRect } from './shelves/canvas.js';
import { DEFAULT_MAX_IMAGE_PIXELS } from './sku110k/image-limits.js';
import { resolveImageName } from './sku110k/safe-path.js';

export const previewOptionsSchema = z
  .object({
    /** SKU110K-format dataset folder: draws one shelf image with its boxes. */
    root: z.string().optional(),
    /** Crop output folder (holding labelled/ and unlabelled/): draws the contact sheet. */
    cropDir: z.string().optional(),
    out: z.string().min(1, 'out: the folder to write the preview PNGs into'),
    perClass: z.number().int().min(1).max(64).default(12),
    /** Shelf image to draw (a name in images/); default the first image of the first annotation CSV. */
    image: z.string().optional(),
    /** Crops are enlarged by this integer factor so 32 px crops are visible. */
    zoom: z.number().int().min(1).max(8).default(3),
    /** Class order for shelf box colours (the crop index carries its own for the contact sheet). */
    classes: z.array(z.string()).default([...DEFAULT_CLASSES]),
  })
  .refine((o) => o.root !== undefined || o.cropDir !== undefined, 'give root, cropDir or both');
export type PreviewOptions = z.input<typeof previewOptionsSchema>;

/** Box colours per class index; unlabelled boxes are drawn white, distinct from every class. */
export const CLASS_PALETTE: readonly Rgb[] = [
  [230, 25, 75],
  [60, 180, 75],
  [0, 130, 200],
  [245, 130, 48],
  [145, 30, 180],
  [70, 240, 240],
  [240, 50, 230],
  [128, 128, 0],
];
const UNLABELLED: Rgb = [255, 255, 255];

/**
 * Writes PNGs to eyeball a dataset: `crops.png` (one row per class in class order, each starting with a swatch
 * of the class colour; a final white-swatch row of unlabelled crops) and `shelf.png` (a shelf image with its
 * boxes: labelled ones in their class colour, the rest white).
 */
export async function previewDataset(
  options: PreviewOptions,
): Promise<{ contactSheet?: string; shelf?: string }> {
  const opts = previewOptionsSchema.parse(options);
  await mkdir(opts.out, { recursive: true });
  const result: { contactSheet?: string; shelf?: string } = {};
  if (opts.cropDir !== undefined) {
    result.contactSheet = path.join(opts.out, 'crops.png');
    await writePng(await contactSheet(opts.cropDir, opts.perClass, opts.zoom), result.contactSheet);
  }
  if (opts.root !== undefined) {
    result.shelf = path.join(opts.out, 'shelf.png');
    await writePng(await shelfWithBoxes(opts.root, opts.image, opts.classes), result.shelf);
  }
  return result;
}

async function contactSheet(cropDir: string, perClass: number, zoom: number): Promise<RgbCanvas> {
  const labelled = await readCropIndexWithEntries(path.join(cropDir, 'labelled'));
  const rows: Array<{ colour: Rgb; dir: string; entries: CropIndexEntry[] }> = labelled.classes.map(
    (_, c) => ({
      colour: CLASS_PALETTE[c % CLASS_PALETTE.length]!,
      dir: path.join(cropDir, 'labelled'),
      entries: labelled.entries.filter((e) => e.label === c).slice(0, perClass),
    }),
  );
  const unlabelledDir = path.join(cropDir, 'unlabelled');
  if (existsSync(path.join(unlabelledDir, 'index.json'))) {
    const unlabelled = await readCropIndexWithEntries(unlabelledDir);
    rows.push({ colour: UNLABELLED, dir: unlabelledDir, entries: unlabelled.entries.slice(0, perClass) });
  }
  const cell = labelled.cropSize * zoom;
  const gap = 4;
  const canvas = createCanvas(
    (perClass + 1) * (cell + gap) + gap,
    rows.length * (cell + gap) + gap,
    [40, 40, 40],
  );
  const shards = new Map<string, Awaited<ReturnType<typeof readCropShard>>>();
  for (const [r, row] of rows.entries()) {
    const top = gap + r * (cell + gap);
    fillRect(canvas, gap, top, gap + cell, top + cell, row.colour);
    for (const [i, entry] of row.entries.entries()) {
      const key = `${row.dir}/${entry.shard}`;
      let shard = shards.get(key);
      if (!shard) {
        shard = await readCropShard(row.dir, entry.shard);
        shards.set(key, shard);
      }
      blitZoomed(canvas, shard.pixels, entry.row, shard.size, zoom, gap + (i + 1) * (cell + gap), top);
    }
  }
  return canvas;
}

/** Copies crop `row` of an NHWC shard into the canvas, each pixel repeated zoom×zoom (nearest neighbour). */
export function blitZoomed(
  canvas: RgbCanvas,
  pixels: Uint8Array,
  row: number,
  size: number,
  zoom: number,
  x0: number,
  y0: number,
): void {
  const base = row * size * size * 3;
  for (let y = 0; y < size * zoom; y++) {
    for (let x = 0; x < size * zoom; x++) {
      const src = base + (Math.floor(y / zoom) * size + Math.floor(x / zoom)) * 3;
      const dst = ((y0 + y) * canvas.width + x0 + x) * 3;
      canvas.pixels[dst] = pixels[src]!;
      canvas.pixels[dst + 1] = pixels[src + 1]!;
      canvas.pixels[dst + 2] = pixels[src + 2]!;
    }
  }
}

async function shelfWithBoxes(
  root: string,
  requested: string | undefined,
  classes: readonly string[],
): Promise<RgbCanvas> {
  const annotations = path.join(root, 'annotations');
  const csvs = (await readdir(annotations)).filter((f) => /^annotations_.*\.csv$/.test(f)).sort();
  const rows = (await Promise.all(csvs.map((f) => readLabelCsv(path.join(annotations, f))))).flatMap(
    (c) => c.rows,
  );
  const image = requested ?? rows[0]?.image;
  if (image === undefined) throw new Error(`no annotation rows under ${annotations}`);
  const safe = resolveImageName(path.join(root, 'images'), image);
  if (!safe.ok) throw new Error(`image ${image}: ${safe.detail}`);
  const decoded = await decodeRgb(safe.path, DEFAULT_MAX_IMAGE_PIXELS);
  const canvas: RgbCanvas = { width: decoded.width, height: decoded.height, pixels: decoded.pixels };
  const labelFile = path.join(root, 'labels.csv');
  const labelRows = existsSync(labelFile)
    ? (await readLabelCsv(labelFile)).rows.filter((r) => r.image === image)
    : [];
  const classNames = [
    ...classes,
    ...new Set(labelRows.map((r) => r.className).filter((c) => !classes.includes(c))),
  ];
  const classOf = new Map(labelRows.map((r) => [`${r.x1},${r.y1},${r.x2},${r.y2}`, r.className]));
  for (const row of rows.filter((r) => r.image === image)) {
    const className = classOf.get(`${row.x1},${row.y1},${row.x2},${row.y2}`);
    const colour =
      className === undefined
        ? UNLABELLED
        : CLASS_PALETTE[classNames.indexOf(className) % CLASS_PALETTE.length]!;
    strokeRect(canvas, row.x1, row.y1, row.x2, row.y2, colour, 2);
  }
  return canvas;
}

async function writePng(canvas: RgbCanvas, file: string): Promise<void> {
  await sharp(canvas.pixels, { raw: { width: canvas.width, height: canvas.height, channels: 3 } })
    .png()
    .toFile(file);
}
