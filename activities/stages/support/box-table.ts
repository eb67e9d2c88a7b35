import {
  BOX_RECORDS_FILE,
  boxRecords,
  type PhotoBoxes,
  photosOf,
} from '../../../data/sku110k/box-records.js';
import type { BoxRow } from '../../../data/sku110k/types.js';
import type { LoadedInput } from '../../stage-types.js';
import { inputRecordsFile } from './artefact-files.js';

/**
 * The boxes of an ingest or boxes artefact, one record at a time from its boxes.ndjson (downloaded into
 * `scratch`, streamed). `count` is its header's (boxes.json), read by the caller with readInputJson.
 */
export async function inputBoxes(input: LoadedInput, header: { count: number }, scratch: string) {
  const source = await inputRecordsFile(input, BOX_RECORDS_FILE, scratch, {
    count: header.count,
    step: 'ingest',
  });
  return { source, boxes: () => boxRecords(source) };
}

/** The same boxes, one photo (its boxes in order) at a time: what the crop stages iterate. */
export async function inputPhotos(
  input: LoadedInput,
  header: { count: number },
  scratch: string,
): Promise<() => AsyncGenerator<PhotoBoxes>> {
  const { source, boxes } = await inputBoxes(input, header, scratch);
  return () => photosOf(boxes(), source.file);
}

/** The boxes of the given ids (a suggestion list, a few hundred), found in one pass over the records. */
export async function boxesById(
  input: LoadedInput,
  header: { count: number },
  scratch: string,
  ids: ReadonlySet<string>,
): Promise<Map<string, BoxRow>> {
  const found = new Map<string, BoxRow>();
  for await (const box of (await inputBoxes(input, header, scratch)).boxes()) {
    if (ids.has(box.boxId)) found.set(box.boxId, box);
  }
  return found;
}
