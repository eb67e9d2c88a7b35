/** A packed RGB image in memory: generator and preview draw straight into pixels, then encode once. */
export interface RgbCanvas {
  width: number;
  height: number;
  pixels: Uint8Array;
}

export type Rgb = readonly [number, number, number];

export function createCanvas(width: number, height: number, fill: Rgb): RgbCanvas {
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) {
    pixels[i] = fill[0];
    pixels[i + 1] = fill[1];
    pixels[i + 2] = fill[2];
  }
  return { width, height, pixels };
}

/** Fills [x1, x2) × [y1, y2), clipped to the canvas. */
export function fillRect(c: RgbCanvas, x1: number, y1: number, x2: number, y2: number, colour: Rgb): void {
  const left = Math.max(0, Math.floor(x1));
  const right = Math.min(c.width, Math.ceil(x2));
  for (let y = Math.max(0, Math.floor(y1)); y < Math.min(c.height, Math.ceil(y2)); y++) {
    for (let x = left; x < right; x++) {
      const i = (y * c.width + x) * 3;
      c.pixels[i] = colour[0];
      c.pixels[i + 1] = colour[1];
      c.pixels[i + 2] = colour[2];
    }
  }
}

/** A rectangle outline `thickness` pixels wide, drawn inside [x1, x2) × [y1, y2). */
export function strokeRect(
  c: RgbCanvas,
  x1: number,
  y1: number,
  x2: number,
  y2: number,
  colour: Rgb,
  thickness = 1,
): void {
  fillRect(c, x1, y1, x2, y1 + thickness, colour);
  fillRect(c, x1, y2 - thickness, x2, y2, colour);
  fillRect(c, x1, y1, x1 + thickness, y2, colour);
  fillRect(c, x2 - thickness, y1, x2, y2, colour);
}

/** Blends `colour` into the canvas through an 8-bit mask (mask 255 = full colour) placed at (x0, y0). */
export function blendMask(
  c: RgbCanvas,
  mask: Uint8Array,
  maskWidth: number,
  maskHeight: number,
  x0: number,
  y0: number,
  colour: Rgb,
): void {
  for (let y = 0; y < maskHeight; y++) {
    const cy = y0 + y;
    if (cy < 0 || cy >= c.height) continue;
    for (let x = 0; x < maskWidth; x++) {
      const cx = x0 + x;
      if (cx < 0 || cx >= c.width) continue;
      const a = mask[y * maskWidth + x]! / 255;
      if (a === 0) continue;
      const i = (cy * c.width + cx) * 3;
      for (let k = 0; k < 3; k++) c.pixels[i + k] = Math.round(c.pixels[i + k]! * (1 - a) + colour[k]! * a);
    }
  }
}

/** Adds uniform noise in [-amount, amount] so JPEG compression and crops look like camera images, not flat art. */
export function addNoise(c: RgbCanvas, amount: number, next: () => number): void {
  for (let i = 0; i < c.pixels.length; i++) {
    // Uint8Array assignment wraps instead of clamping, so clamp first.
    c.pixels[i] = Math.min(255, Math.max(0, c.pixels[i]! + Math.round((next() * 2 - 1) * amount)));
  }
}
