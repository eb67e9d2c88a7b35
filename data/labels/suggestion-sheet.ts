import sharp from 'sharp';
import { blitZoomed } from '../preview.js';
import { createCanvas } from '../shelves/canvas.js';

export interface SheetItem {
  /** Row of the crop in `pixels` (uint8 NHWC). */
  row: number;
  /** Two short lines under the crop: its number and box id, then the suggested class. */
  caption: [string, string];
}

const CAPTION = 26;
const GAP = 6;

/** `&`, `<`, `>` and quotes escaped for SVG text (box ids come from file names). */
function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * A contact sheet PNG for annotators: each suggested crop enlarged `zoom`× (nearest neighbour, so small crops
 * stay sharp), captioned with its number in to-label.csv and its box id, then the head's guess.
 */
export async function suggestionSheetPng(
  crops: { pixels: Uint8Array; size: number },
  items: readonly SheetItem[],
  options: { columns?: number; zoom?: number } = {},
): Promise<Buffer> {
  const zoom = options.zoom ?? 3;
  const columns = Math.max(1, Math.min(options.columns ?? 10, items.length));
  const side = crops.size * zoom;
  const cellW = Math.max(side, 120);
  const cellH = side + CAPTION;
  const rows = Math.max(1, Math.ceil(items.length / columns));
  const canvas = createCanvas(columns * (cellW + GAP) + GAP, rows * (cellH + GAP) + GAP, [255, 255, 255]);
  const texts: string[] = [];
  items.forEach((item, i) => {
    const x = GAP + (i % columns) * (cellW + GAP);
    const y = GAP + Math.floor(i / columns) * (cellH + GAP);
    blitZoomed(canvas, crops.pixels, item.row, crops.size, zoom, x + Math.floor((cellW - side) / 2), y);
    const [first, second] = item.caption.map(escapeXml);
    texts.push(`<text x="${x}" y="${y + side + 11}">${first}</text>`);
    texts.push(`<text x="${x}" y="${y + side + 23}" fill="#555">${second}</text>`);
  });
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${canvas.width}" height="${canvas.height}" ` +
    `font-family="DejaVu Sans, sans-serif" font-size="10">${texts.join('')}</svg>`;
  return await sharp(canvas.pixels, { raw: { width: canvas.width, height: canvas.height, channels: 3 } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .png()
    .toBuffer();
}
