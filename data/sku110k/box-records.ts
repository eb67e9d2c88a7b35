import { z } from 'zod';
import { IndexFileError, NdjsonWriter, type RecordsSource, readNdjsonRecords } from '../ndjson-index.js';
import { type BoxRow, SPLITS } from './types.js';

/**
 * The box table as an index: `boxes.json` a small header (format, version, count; the ingest artefact's also
 * carries the classes and the matched labels, bounded by what people label) and `boxes.ndjson` one box per
 * line, grouped by photo, so crop stages read one photo's boxes at a time.
 */
export const BOXES_FORMAT = 'shelfssl-boxes';
export const BOXES_VERSION = 2;
export const BOX_RECORDS_FILE = 'boxes.ndjson';

export const BoxRecordSchema = z.object({
  boxId: z.string(),
  split: z.enum(SPLITS),
  image: z.string(),
  x1: z.number(),
  y1: z.number(),
  x2: z.number(),
  y2: z.number(),
  imageWidth: z.number(),
  imageHeight: z.number(),
});

export interface PhotoBoxes {
  image: string;
  boxes: BoxRow[];
}

/**
 * The boxes grouped by photo (photos in order of first appearance, boxes in their order): the order the crop
 * pool has always had, written so that a reader can cut photos off the stream.
 */
export function inPhotoOrder(boxes: readonly BoxRow[]): BoxRow[] {
  const byImage = new Map<string, BoxRow[]>();
  for (const box of boxes) {
    const group = byImage.get(box.image);
    if (group) group.push(box);
    else byImage.set(box.image, [box]);
  }
  return [...byImage.values()].flat();
}

/** Writes `boxes` in photo order as NDJSON; returns the header's counts (boxes, photos). */
export async function writeBoxRecords(
  file: string,
  boxes: readonly BoxRow[],
): Promise<{ count: number; photos: number }> {
  const writer = await NdjsonWriter.open<BoxRow>(file);
  const photos = new Set<string>();
  for (const box of inPhotoOrder(boxes)) {
    photos.add(box.image);
    await writer.write(box);
  }
  return { count: await writer.close(), photos: photos.size };
}

export function boxRecords(source: RecordsSource): AsyncGenerator<BoxRow> {
  return readNdjsonRecords(source, BoxRecordSchema);
}

/**
 * One photo's boxes at a time from a box stream in photo order. Memory: one photo's boxes plus the names of
 * the photos seen (to refuse a file whose photo comes back after another, which would crop it twice).
 */
export async function* photosOf(boxes: AsyncIterable<BoxRow>, file: string): AsyncGenerator<PhotoBoxes> {
  const done = new Set<string>();
  let current: PhotoBoxes | undefined;
  let line = 0;
  for await (const box of boxes) {
    line++;
    if (current && box.image === current.image) {
      current.boxes.push(box);
      continue;
    }
    if (current) yield current;
    if (done.has(box.image)) {
      throw new IndexFileError(
        `${file} line ${line}: image ${box.image} comes again after other photos' boxes (the file is not ` +
          'grouped by photo); re-run the ingest step to rewrite it',
      );
    }
    done.add(box.image);
    current = { image: box.image, boxes: [box] };
  }
  if (current) yield current;
}
