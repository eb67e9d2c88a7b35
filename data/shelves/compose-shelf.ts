import type { Rng } from '../../ml/random.js';
import { resampleRegion } from '../resample.js';
import {
  addNoise,
  blendMask,
  createCanvas,
  fillRect,
  type Rgb,
  type RgbCanvas,
  strokeRect,
} from './canvas.js';
import { ITEM_SIZE, type ProductSource } from './product-source.js';

export interface ShelfLayout {
  width: number;
  height: number;
  /** Product height range in pixels. */
  productSize: readonly [number, number];
  /** Share of products that are distractors (never labelled). */
  distractorShare: number;
  /**
   * 0: pale cards and dark ink, even light (the demo's shelves). Up to 1: cards of any hue and saturation and
   * a light falloff across the photo, as real shelf photos have; draws nothing extra from the rng at 0, so
   * shelves generated before this option keep their bytes.
   */
  colourVariation?: number;
}

export interface PlacedProduct {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  /** Product class index, or null for a distractor. */
  classIndex: number | null;
}

/**
 * Draws one shelf: a wall, rows of planks, and products standing on them left to right in facings (1–3 copies
 * of a class side by side, as stores shelve SKUs), with varied sizes, gaps and jitter. Boxes are the product
 * cards, always fully inside the image.
 */
export function composeShelf(
  rng: Rng,
  source: ProductSource,
  layout: ShelfLayout,
): {
  canvas: RgbCanvas;
  products: PlacedProduct[];
} {
  const wall = lightColour(rng, 195, 235);
  const canvas = createCanvas(layout.width, layout.height, wall);
  const products: PlacedProduct[] = [];
  const plankColour = rng.pick<Rgb>([
    [150, 105, 60],
    [120, 85, 50],
    [170, 170, 175],
    [230, 230, 225],
    [90, 90, 95],
  ]);
  const [minSize, maxSize] = layout.productSize;
  const variation = layout.colourVariation ?? 0;
  let top = rng.intBetween(2, 10);
  while (true) {
    const rowHeight = rng.intBetween(minSize, maxSize);
    const plankThickness = rng.intBetween(6, 12);
    const plankTop = top + rowHeight + 2;
    if (plankTop + plankThickness > layout.height) break;
    fillRow(canvas, rng, source, layout, top, plankTop, rowHeight, products, variation);
    fillRect(canvas, 0, plankTop, layout.width, plankTop + plankThickness, plankColour);
    fillRect(
      canvas,
      0,
      plankTop + plankThickness - 2,
      layout.width,
      plankTop + plankThickness,
      shade(plankColour, 0.6),
    );
    top = plankTop + plankThickness + rng.intBetween(2, 8);
  }
  if (variation > 0) applyLightFalloff(canvas, rng, variation);
  addNoise(canvas, 5, rng.next);
  return { canvas, products };
}

function fillRow(
  canvas: RgbCanvas,
  rng: Rng,
  source: ProductSource,
  layout: ShelfLayout,
  rowTop: number,
  plankTop: number,
  rowHeight: number,
  out: PlacedProduct[],
  variation: number,
): void {
  let x = rng.intBetween(2, 12);
  while (true) {
    const kind = pickKind(rng, source, layout.distractorShare);
    const facings = rng.intBetween(1, 3);
    const cardColour = variation > 0 ? variedColour(rng, variation) : lightColour(rng, 215, 252);
    const inkColour = variation > 0 ? contrastingInk(rng, cardColour) : darkColour(rng);
    for (let f = 0; f < facings; f++) {
      const h = Math.max(8, Math.round(rowHeight * rng.uniform(0.8, 1)));
      const w = Math.max(8, Math.round(h * rng.uniform(0.65, 0.95)));
      if (x + w > layout.width - 2) return;
      const y2 = plankTop - rng.intBetween(0, 1);
      const y1 = Math.max(rowTop, y2 - h);
      drawProduct(canvas, rng, source, kind, { x1: x, y1, x2: x + w, y2 }, cardColour, inkColour);
      out.push({ x1: x, y1, x2: x + w, y2, classIndex: kind < source.classCount ? kind : null });
      x += w + rng.intBetween(1, 6);
    }
    if (rng.next() < 0.08) x += rng.intBetween(10, 40); // an empty spot on the shelf
  }
}

function drawProduct(
  canvas: RgbCanvas,
  rng: Rng,
  source: ProductSource,
  kind: number,
  box: { x1: number; y1: number; x2: number; y2: number },
  card: Rgb,
  ink: Rgb,
): void {
  fillRect(canvas, box.x1, box.y1, box.x2, box.y2, card);
  strokeRect(canvas, box.x1, box.y1, box.x2, box.y2, shade(card, 0.7));
  const margin = 2;
  const side = Math.max(4, Math.min(box.x2 - box.x1, box.y2 - box.y1) - 2 * margin);
  const mask = new Uint8Array(side * side);
  const item = source.item(kind, rng);
  resampleRegion(item, ITEM_SIZE, 1, { x: 0, y: 0, width: ITEM_SIZE, height: ITEM_SIZE }, side, side, mask);
  const x0 = box.x1 + Math.floor((box.x2 - box.x1 - side) / 2);
  const y0 = box.y1 + Math.floor((box.y2 - box.y1 - side) / 2);
  blendMask(canvas, mask, side, side, x0, y0, ink);
}

function pickKind(rng: Rng, source: ProductSource, distractorShare: number): number {
  if (source.distractorKinds > 0 && rng.next() < distractorShare) {
    return source.classCount + rng.intBetween(0, source.distractorKinds - 1);
  }
  return rng.intBetween(0, source.classCount - 1);
}

function lightColour(rng: Rng, min: number, max: number): Rgb {
  const base = rng.intBetween(min, max);
  return [base + rng.intBetween(-8, 3), base + rng.intBetween(-8, 3), base + rng.intBetween(-8, 3)].map((v) =>
    Math.max(0, Math.min(255, v)),
  ) as unknown as Rgb;
}

function darkColour(rng: Rng): Rgb {
  return [rng.intBetween(10, 160), rng.intBetween(10, 160), rng.intBetween(10, 160)];
}

function shade(colour: Rgb, factor: number): Rgb {
  return [Math.round(colour[0] * factor), Math.round(colour[1] * factor), Math.round(colour[2] * factor)];
}

/** A card colour of any hue: saturation up to 0.8 × variation, brightness 0.55–1 (packaging is colourful). */
function variedColour(rng: Rng, variation: number): Rgb {
  const hue = rng.uniform(0, 6);
  const saturation = rng.uniform(0, 0.8 * variation);
  const value = rng.uniform(0.55, 1) * 255;
  const f = hue - Math.floor(hue);
  const p = value * (1 - saturation);
  const q = value * (1 - saturation * f);
  const t = value * (1 - saturation * (1 - f));
  const sector = Math.floor(hue) % 6;
  const rgb = [
    [value, t, p],
    [q, value, p],
    [p, value, t],
    [p, q, value],
    [t, p, value],
    [value, p, q],
  ][sector]!;
  return rgb.map((v) => Math.round(v)) as unknown as Rgb;
}

/** Ink dark on a bright card and bright on a dark one, so the product artwork stays visible. */
function contrastingInk(rng: Rng, card: Rgb): Rgb {
  const luma = 0.299 * card[0] + 0.587 * card[1] + 0.114 * card[2];
  return luma > 140 ? darkColour(rng) : lightColour(rng, 200, 250);
}

/** Light falls off linearly from a random side of the photo by up to 30 % × variation (one flash, one aisle). */
function applyLightFalloff(c: RgbCanvas, rng: Rng, variation: number): void {
  const depth = rng.uniform(0.1, 0.3) * variation;
  const horizontal = rng.next() < 0.5;
  const flip = rng.next() < 0.5;
  const span = horizontal ? c.width : c.height;
  const gain = new Float32Array(span);
  for (let i = 0; i < span; i++) gain[i] = 1 - depth * ((flip ? span - 1 - i : i) / Math.max(1, span - 1));
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      const g = gain[horizontal ? x : y]!;
      const i = (y * c.width + x) * 3;
      c.pixels[i] = Math.round(c.pixels[i]! * g);
      c.pixels[i + 1] = Math.round(c.pixels[i + 1]! * g);
      c.pixels[i + 2] = Math.round(c.pixels[i + 2]! * g);
    }
  }
}
