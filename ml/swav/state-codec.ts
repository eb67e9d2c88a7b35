import { SWAV_STATE_FORMAT, type SwavTrainerState } from './trainer.js';

const MAGIC = 0x56415753; // "SWAV" little-endian

interface ArrayRef {
  $f32: number;
  length: number;
}

function isArrayRef(value: unknown): value is ArrayRef {
  return typeof value === 'object' && value !== null && '$f32' in value && 'length' in value;
}

/**
 * Packs a trainer state into one byte array for an object store: magic, header length, a JSON header in
 * which every Float32Array is replaced by {$f32: offset, length}, then the arrays' raw bytes. Float32
 * values travel bit-exactly, so a decoded checkpoint resumes the run exactly like the in-memory one.
 */
export function encodeSwavState(state: SwavTrainerState): Uint8Array {
  const arrays: Float32Array[] = [];
  let offset = 0;
  const header = JSON.stringify(state, (_key, value: unknown) => {
    if (!(value instanceof Float32Array)) return value;
    arrays.push(value);
    const ref: ArrayRef = { $f32: offset, length: value.length };
    offset += value.length;
    return ref;
  });
  const headerBytes = new TextEncoder().encode(header);
  const headerPadded = Math.ceil(headerBytes.length / 4) * 4;
  const out = new Uint8Array(8 + headerPadded + offset * 4);
  const view = new DataView(out.buffer);
  view.setUint32(0, MAGIC, true);
  view.setUint32(4, headerBytes.length, true);
  out.set(headerBytes, 8);
  const body = new Float32Array(out.buffer, 8 + headerPadded, offset);
  let at = 0;
  for (const a of arrays) {
    body.set(a, at);
    at += a.length;
  }
  return out;
}

/** Inverse of `encodeSwavState`; the returned arrays are copies, independent of `bytes`. */
export function decodeSwavState(bytes: Uint8Array): SwavTrainerState {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  if (copy.length < 8 || view.getUint32(0, true) !== MAGIC) throw new Error('not a SwAV trainer checkpoint');
  const headerLength = view.getUint32(4, true);
  const headerPadded = Math.ceil(headerLength / 4) * 4;
  const header = new TextDecoder().decode(copy.subarray(8, 8 + headerLength));
  const body = new Float32Array(copy.buffer, 8 + headerPadded, (copy.length - 8 - headerPadded) / 4);
  const state = JSON.parse(header, (_key, value: unknown) =>
    isArrayRef(value) ? body.slice(value.$f32, value.$f32 + value.length) : value,
  ) as SwavTrainerState;
  if (state.format !== SWAV_STATE_FORMAT)
    throw new Error(`unknown SwAV state format ${String(state.format)}`);
  return state;
}
