/**
 * The float64 inner loops of the head's fitting, unrolled by four: V8 then keeps four independent sums in
 * flight (~2× faster than the plain loop). Everything the optimiser spends its time in is one of these.
 */

/** Σ_j a[ao + j]·b[bo + j] for j < len. */
export function dotAt(a: Float64Array, ao: number, b: Float64Array, bo: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < len; j += 4) {
    s0 += (a[ao + j] as number) * (b[bo + j] as number);
    s1 += (a[ao + j + 1] as number) * (b[bo + j + 1] as number);
    s2 += (a[ao + j + 2] as number) * (b[bo + j + 2] as number);
    s3 += (a[ao + j + 3] as number) * (b[bo + j + 3] as number);
  }
  for (; j < len; j++) s0 += (a[ao + j] as number) * (b[bo + j] as number);
  return s0 + s1 + s2 + s3;
}

/** aᵀb over the whole arrays. */
export function dot(a: Float64Array, b: Float64Array): number {
  return dotAt(a, 0, b, 0, a.length);
}

/** Row-major [rows, cols] → row-major [cols, rows]. */
export function transpose(m: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(m.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[j * rows + i] = m[i * cols + j] as number;
  return out;
}
