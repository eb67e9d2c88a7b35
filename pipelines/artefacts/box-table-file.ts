import { z } from 'zod';
import { BOXES_FORMAT, BOXES_VERSION } from '../../data/sku110k/box-records.js';

/**
 * boxes.json of an ingest artefact: the header of the box table (data/sku110k/box-records.ts). The boxes are
 * in boxes.ndjson beside it, one per line; the classes and the labels matched to boxes stay here (they grow
 * with what people label, not with the photos).
 */
export const BoxTableSchema = z.object({
  format: z.literal(BOXES_FORMAT),
  version: z.literal(BOXES_VERSION, {
    error: `not version ${BOXES_VERSION}: a box table of the old single-document format; re-run the ingest step`,
  }),
  count: z.number().int().min(0),
  /** Photos with at least one box (the crop stages' progress total). */
  photos: z.number().int().min(0),
  classes: z.array(z.string()),
  labels: z.array(z.object({ boxId: z.string(), label: z.number().int().min(0) })),
});
export type BoxTable = z.infer<typeof BoxTableSchema>;

/** boxes.json of a boxes artefact: the header without classes or labels, so label-blind stages key on boxes. */
export const BoxListSchema = BoxTableSchema.pick({ format: true, version: true, count: true, photos: true });
