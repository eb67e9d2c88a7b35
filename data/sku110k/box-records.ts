import { rename, rm } from 'node:fs/promises';
import { z } from 'zod';
import {
  collectRecords,
  IndexFileError,
  NdjsonWriter,
  type RecordsSource,
  readNdjsonRecords,
} from '../ndjson-index.js';
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

/**
 * Writes boxes as they come (CSV order, from the streamed ingest) and leaves `file` in photo order: when every
 * photo's boxes came together (SKU110K's CSVs, the generator's) the file is written once, in one pass; a CSV
 * that returns to a photo later is regrouped in memory at the end (the only case that holds every box).
 */
export class BoxRecordsWriter {
  private current: string | undefined;
  private readonly photos = new Set<string>();
  private grouped = true;

  private constructor(
    readonly file: string,
    private readonly out: NdjsonWriter<BoxRow>,
  ) {}

  static async open(file: string): Promise<BoxRecordsWriter> {
    return new BoxRecordsWriter(file, await NdjsonWriter.open<BoxRow>(`${file}.csv-order`));
  }

  async add(box: BoxRow): Promise<void> {
    if (box.image !== this.current) {
      if (this.photos.has(box.image)) this.grouped = false;
      this.photos.add(box.image);
      this.current = box.image;
    }
    await this.out.write(box);
  }

  async close(): Promise<{ count: number; photos: number }> {
    const count = await this.out.close();
    const temp = `${this.file}.csv-order`;
    if (this.grouped) await rename(temp, this.file);
    else {
      await writeBoxRecords(
        this.file,
        await collectRecords({ file: temp, step: 'ingest', count }, BoxRecordSchema),
      );
      await rm(temp, { force: true });
    }
    return { count, photos: this.photos.size };
  }
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
