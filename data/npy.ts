/**
 * numpy `.npy` files (format v1.0, little-endian, C order): the shard format shared with Python tooling.
 * See https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html
 */

export type NpyDtype = 'uint8' | 'float32' | 'int32';
export type NpyData = Uint8Array | Float32Array | Int32Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const MAGIC = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]);
const DESCR: Record<NpyDtype, string> = { uint8: '|u1', float32: '<f4', int32: '<i4' };
const BYTES: Record<NpyDtype, number> = { uint8: 1, float32: 4, int32: 4 };

const MAX_HEADER_BYTES = 10_000;
/** Dimensions beyond this many are not an array shelfssl writes. */
const MAX_DIMS = 8;

export class NpyFormatError extends Error {
  override name = 'NpyFormatError';
}

export function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Float32Array) return 'float32';
  return 'int32';
}

/** The header alone, so large arrays can be streamed to disk after it without building one big Buffer. */
export function npyHeader(dtype: NpyDtype, shape: readonly number[]): Buffer {
  for (const dim of shape) {
    if (!Number.isInteger(dim) || dim < 0)
      throw new NpyFormatError(`shape ${JSON.stringify(shape)}: dims must be integers >= 0`);
  }
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  const dict = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${tuple}, }`;
  // The spec pads with spaces and ends with '\n' so that the data starts on a 64-byte boundary.
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const padding = (64 - (unpadded % 64)) % 64;
  const text = `${dict}${' '.repeat(padding)}\n`;
  if (text.length > 0xffff) throw new NpyFormatError('header too long for npy v1.0');
  const header = Buffer.alloc(MAGIC.length + 4 + text.length);
  MAGIC.copy(header, 0);
  header[6] = 1;
  header[7] = 0;
  header.writeUInt16LE(text.length, 8);
  header.write(text, 10, 'latin1');
  return header;
}

export function encodeNpy(data: NpyData, shape: readonly number[]): Buffer {
  const dtype = dtypeOf(data);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length) {
    throw new NpyFormatError(
      `shape ${JSON.stringify(shape)} holds ${count} values but data has ${data.length}`,
    );
  }
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  // Typed arrays are host-endian; every platform Node supports here is little-endian, which npy's '<' asserts.
  return Buffer.concat([npyHeader(dtype, shape), body]);
}

export function decodeNpy(buf: Uint8Array): NpyArray {
  const bytes = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (bytes.length < 10 || !bytes.subarray(0, 6).equals(MAGIC))
    throw new NpyFormatError('not an .npy file (bad magic)');
  const major = bytes[6]!;
  const headerLengthBytes = major === 1 ? 2 : 4;
  if (major < 1 || major > 3) throw new NpyFormatError(`unsupported .npy version ${major}`);
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  // numpy itself refuses headers over 10000 bytes by default (max_header_size): a huge one cost minutes here.
  if (headerLength > MAX_HEADER_BYTES)
    throw new NpyFormatError(`.npy header is ${headerLength} bytes, above the ${MAX_HEADER_BYTES} accepted`);
  const dataStart = 8 + headerLengthBytes + headerLength;
  const header = bytes.subarray(8 + headerLengthBytes, dataStart).toString('latin1');
  const { dtype, shape } = parseHeader(header);
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * BYTES[dtype];
  if (!Number.isSafeInteger(byteLength) || bytes.length - dataStart < byteLength) {
    throw new NpyFormatError(
      `truncated .npy: need ${byteLength} data bytes, have ${bytes.length - dataStart}`,
    );
  }
  // Copy so the result is aligned for Float32Array/Int32Array whatever the source buffer's offset.
  const body = new Uint8Array(byteLength);
  body.set(bytes.subarray(dataStart, dataStart + byteLength));
  const data =
    dtype === 'uint8'
      ? body
      : dtype === 'float32'
        ? new Float32Array(body.buffer, 0, count)
        : new Int32Array(body.buffer, 0, count);
  return { dtype, shape, data };
}

function parseHeader(header: string): { dtype: NpyDtype; shape: number[] } {
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new NpyFormatError(`unparseable .npy header: ${header.trim().slice(0, 200)}`);
  }
  if (fortran === 'True')
    throw new NpyFormatError('Fortran-order arrays are not supported; save with C order');
  const dtype = (Object.keys(DESCR) as NpyDtype[]).find(
    (key) => DESCR[key] === descr || (key === 'uint8' && descr === '<u1'),
  );
  if (!dtype) throw new NpyFormatError(`unsupported dtype '${descr}' (supported: |u1, <f4, <i4)`);
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .map(Number);
  if (shape.length > MAX_DIMS || shape.some((dim) => !Number.isInteger(dim) || dim < 0))
    throw new NpyFormatError(`bad shape (${shapeText.slice(0, 80)})`);
  return { dtype, shape };
}
