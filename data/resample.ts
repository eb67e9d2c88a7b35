/**
 * Antialiased bilinear resampling of a rectangle of interleaved 8-bit pixels (the PIL "BILINEAR" scheme: a
 * triangle filter widened by the scale factor when shrinking). Plain bilinear would alias badly when a 300 px
 * product box becomes a 32 px crop; this averages every source pixel instead.
 */

export interface Region {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface AxisWeights {
  starts: Int32Array;
  counts: Int32Array;
  taps: number;
  weights: Float32Array;
}

const weightCache = new Map<number, AxisWeights>();

function axisWeights(srcLen: number, dstLen: number): AxisWeights {
  const key = srcLen * 65536 + dstLen;
  const cached = weightCache.get(key);
  if (cached) return cached;
  const result = computeWeights(0, srcLen, srcLen, dstLen);
  // Box sizes repeat a lot; a bounded cache avoids recomputing weights without growing forever.
  if (weightCache.size > 4096) weightCache.clear();
  weightCache.set(key, result);
  return result;
}

/**
 * Weights for `dstLen` outputs covering the source interval [offset, offset + srcLen) of a span of `spanLen`
 * whole pixels (offset and srcLen may be fractional: a box mapped onto a reduced decode).
 */
function computeWeights(offset: number, srcLen: number, spanLen: number, dstLen: number): AxisWeights {
  const scale = srcLen / dstLen;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(dstLen);
  const counts = new Int32Array(dstLen);
  const weights = new Float32Array(dstLen * taps);
  for (let i = 0; i < dstLen; i++) {
    const center = offset + (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(spanLen, Math.ceil(center + support));
    let total = 0;
    let n = 0;
    for (let j = lo; j < hi && n < taps; j++, n++) {
      const w = Math.max(0, 1 - Math.abs((j + 0.5 - center) / filterScale));
      weights[i * taps + n] = w;
      total += w;
    }
    for (let k = 0; k < n; k++) weights[i * taps + k]! /= total || 1;
    starts[i] = lo;
    counts[i] = n;
  }
  return { starts, counts, taps, weights };
}

/** Weights for one axis of a region whose edges may be fractional, and the whole-pixel span they read. */
function regionAxis(
  start: number,
  length: number,
  dstLen: number,
): { weights: AxisWeights; from: number; span: number } {
  if (Number.isInteger(start) && Number.isInteger(length))
    return { weights: axisWeights(length, dstLen), from: start, span: length };
  const from = Math.floor(start);
  const span = Math.ceil(start + length) - from;
  return { weights: computeWeights(start - from, length, span, dstLen), from, span };
}

/**
 * Resizes `region` of `src` (width `srcWidth`, `channels` interleaved) to dstWidth×dstHeight and writes the
 * result into `out` at `outOffset` (so crops can land straight in a shard buffer). Region edges may be
 * fractional (inside the image); whole-pixel regions give the same bytes as ever.
 */
export function resampleRegion(
  src: Uint8Array,
  srcWidth: number,
  channels: number,
  region: Region,
  dstWidth: number,
  dstHeight: number,
  out: Uint8Array,
  outOffset = 0,
): void {
  const xa = regionAxis(region.x, region.width, dstWidth);
  const ya = regionAxis(region.y, region.height, dstHeight);
  const xw = xa.weights;
  const yw = ya.weights;
  // The whole pixels the (possibly fractional) region touches; the weights say how much each one counts.
  region = { x: xa.from, y: ya.from, width: xa.span, height: ya.span };
  const rowLen = dstWidth * channels;
  const temp = new Float32Array(region.height * rowLen);
  if (channels === 3) horizontalRgb(src, srcWidth, region, xw, dstWidth, temp);
  else horizontalAny(src, srcWidth, channels, region, xw, dstWidth, temp);
  // Vertical pass tap by tap over whole rows: contiguous reads; each output still sums its taps in tap order
  // in float64, so results are bit-identical to a per-pixel loop.
  const acc = new Float64Array(rowLen);
  for (let y = 0; y < dstHeight; y++) {
    const start = yw.starts[y]!;
    const count = yw.counts[y]!;
    const wBase = y * yw.taps;
    acc.fill(0);
    for (let k = 0; k < count; k++) {
      const w = yw.weights[wBase + k]!;
      const base = (start + k) * rowLen;
      for (let i = 0; i < rowLen; i++) acc[i]! += temp[base + i]! * w;
    }
    const outRow = outOffset + y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      const v = acc[i]!;
      out[outRow + i] = v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
    }
  }
}

/** Horizontal pass for packed RGB: one weight load per tap for all three channels (the crop hot path). */
function horizontalRgb(
  src: Uint8Array,
  srcWidth: number,
  region: Region,
  xw: AxisWeights,
  dstWidth: number,
  temp: Float32Array,
): void {
  const rowLen = dstWidth * 3;
  for (let y = 0; y < region.height; y++) {
    const srcRow = ((region.y + y) * srcWidth + region.x) * 3;
    const tempRow = y * rowLen;
    for (let x = 0; x < dstWidth; x++) {
      const count = xw.counts[x]!;
      const wBase = x * xw.taps;
      let p = srcRow + xw.starts[x]! * 3;
      let r = 0;
      let g = 0;
      let b = 0;
      for (let k = 0; k < count; k++, p += 3) {
        const w = xw.weights[wBase + k]!;
        r += src[p]! * w;
        g += src[p + 1]! * w;
        b += src[p + 2]! * w;
      }
      const t = tempRow + x * 3;
      temp[t] = r;
      temp[t + 1] = g;
      temp[t + 2] = b;
    }
  }
}

function horizontalAny(
  src: Uint8Array,
  srcWidth: number,
  channels: number,
  region: Region,
  xw: AxisWeights,
  dstWidth: number,
  temp: Float32Array,
): void {
  const rowLen = dstWidth * channels;
  for (let y = 0; y < region.height; y++) {
    const srcRow = ((region.y + y) * srcWidth + region.x) * channels;
    const tempRow = y * rowLen;
    for (let x = 0; x < dstWidth; x++) {
      const start = xw.starts[x]!;
      const count = xw.counts[x]!;
      const wBase = x * xw.taps;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = 0; k < count; k++)
          acc += src[srcRow + (start + k) * channels + c]! * xw.weights[wBase + k]!;
        temp[tempRow + x * channels + c] = acc;
      }
    }
  }
}
