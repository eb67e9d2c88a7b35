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
  const scale = srcLen / dstLen;
  const filterScale = Math.max(scale, 1);
  const support = filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const starts = new Int32Array(dstLen);
  const counts = new Int32Array(dstLen);
  const weights = new Float32Array(dstLen * taps);
  for (let i = 0; i < dstLen; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(srcLen, Math.ceil(center + support));
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
  const result = { starts, counts, taps, weights };
  // Box sizes repeat a lot; a bounded cache avoids recomputing weights without growing forever.
  if (weightCache.size > 4096) weightCache.clear();
  weightCache.set(key, result);
  return result;
}

/**
 * Resizes `region` of `src` (width `srcWidth`, `channels` interleaved) to dstWidth×dstHeight and writes the
 * result into `out` at `outOffset` (so crops can land straight in a shard buffer).
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
  const xw = axisWeights(region.width, dstWidth);
  const yw = axisWeights(region.height, dstHeight);
  const rowLen = dstWidth * channels;
  const temp = new Float32Array(region.height * rowLen);
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
  for (let y = 0; y < dstHeight; y++) {
    const start = yw.starts[y]!;
    const count = yw.counts[y]!;
    const wBase = y * yw.taps;
    const outRow = outOffset + y * rowLen;
    for (let i = 0; i < rowLen; i++) {
      let acc = 0;
      for (let k = 0; k < count; k++) acc += temp[(start + k) * rowLen + i]! * yw.weights[wBase + k]!;
      out[outRow + i] = acc < 0 ? 0 : acc > 255 ? 255 : Math.round(acc);
    }
  }
}
