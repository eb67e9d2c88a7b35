import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { DEFAULT_MAX_IMAGE_PIXELS } from './image-limits.js';
import { readCheckedFile, resolveExistingInside, resolveImageName } from './safe-path.js';

/** Image files are read whole to probe them: larger files are refused before the read. */
const MAX_IMAGE_FILE_BYTES = 256 * 2 ** 20;

export type ImageProbe =
  | { ok: true; width: number; height: number; format: string }
  | { ok: false; reason: 'missing_image' | 'unreadable_image' | 'unsafe_image_path'; detail: string };

/** `header`: size from the header plus an end-marker check (cheap). `decode`: also decode every pixel. */
export type ImageVerify = 'header' | 'decode';

/**
 * Reads an image file once and reports its pixel size, or why it cannot be used. Truncation is caught without
 * decoding by looking for the format's end marker (JPEG EOI, PNG IEND), which is what a cut-off download loses.
 */
export async function probeImage(
  imagesDir: string,
  name: string,
  verify: ImageVerify,
  maxPixels: number = DEFAULT_MAX_IMAGE_PIXELS,
): Promise<ImageProbe> {
  const lexical = resolveImageName(imagesDir, name);
  if (!lexical.ok) return { ok: false, reason: 'unsafe_image_path', detail: lexical.detail };
  const real = await resolveExistingInside(imagesDir, lexical.path);
  if (real === 'missing') return { ok: false, reason: 'missing_image', detail: `no file images/${name}` };
  if (!real.ok) return { ok: false, reason: 'unsafe_image_path', detail: real.detail };
  // A FIFO or device under images/ would block the read (until the activity times out) or never end it.
  const st = await stat(real.path);
  if (!st.isFile())
    return {
      ok: false,
      reason: 'unreadable_image',
      detail: `images/${name} is not a regular file; not read`,
    };
  if (st.size > MAX_IMAGE_FILE_BYTES) {
    const detail = `file is ${st.size} bytes, above the ${MAX_IMAGE_FILE_BYTES} accepted`;
    return { ok: false, reason: 'unreadable_image', detail };
  }
  let bytes: Buffer;
  try {
    const read = await readCheckedFile(real.path);
    if (read === undefined)
      return {
        ok: false,
        reason: 'unreadable_image',
        detail: `images/${name} is not a regular file; not read`,
      };
    bytes = read;
  } catch (error) {
    return { ok: false, reason: 'unreadable_image', detail: `cannot read file: ${(error as Error).message}` };
  }
  const ending = checkEndMarker(bytes);
  if (ending) return { ok: false, reason: 'unreadable_image', detail: ending };
  try {
    const meta = await sharp(bytes).metadata();
    if (!meta.width || !meta.height)
      return { ok: false, reason: 'unreadable_image', detail: 'image has no size' };
    // A small file can declare a huge image (a 1.5 MB JPEG of 16383² pixels decodes to 768 MiB).
    if (meta.width * meta.height > maxPixels) {
      const detail = `${meta.width}x${meta.height} is ${meta.width * meta.height} pixels, above ingest.maxImagePixels (${maxPixels})`;
      return { ok: false, reason: 'unreadable_image', detail };
    }
    if (verify === 'decode')
      await sharp(bytes, { failOn: 'truncated', limitInputPixels: maxPixels }).raw().toBuffer();
    return { ok: true, width: meta.width, height: meta.height, format: meta.format ?? 'unknown' };
  } catch (error) {
    return { ok: false, reason: 'unreadable_image', detail: `cannot decode: ${(error as Error).message}` };
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_IEND = Buffer.from('IEND', 'latin1');

/** Returns why the file looks cut off, or null. Unknown formats are left to the decoder. */
function checkEndMarker(bytes: Buffer): string | null {
  if (bytes.length === 0) return 'file is empty';
  const tail = bytes.subarray(Math.max(0, bytes.length - 4096));
  if (bytes[0] === 0xff && bytes[1] === 0xd8) {
    // Some writers pad after EOI, so search the tail instead of demanding the last two bytes.
    return hasPair(tail, 0xff, 0xd9) ? null : 'JPEG has no end-of-image marker (truncated file?)';
  }
  if (bytes.subarray(0, 8).equals(PNG_SIGNATURE)) {
    return tail.includes(PNG_IEND) ? null : 'PNG has no IEND chunk (truncated file?)';
  }
  return null;
}

function hasPair(bytes: Uint8Array, a: number, b: number): boolean {
  for (let i = bytes.length - 2; i >= 0; i--) {
    if (bytes[i] === a && bytes[i + 1] === b) return true;
  }
  return false;
}
