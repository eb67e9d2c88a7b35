import { z } from 'zod';
import { SPLITS } from '../../data/sku110k/types.js';

/** boxes.json of an ingest artefact: the good boxes of every split and the labels matched to them. */
export const BoxTableSchema = z.object({
  classes: z.array(z.string()),
  boxes: z.array(
    z.object({
      boxId: z.string(),
      split: z.enum(SPLITS),
      image: z.string(),
      x1: z.number(),
      y1: z.number(),
      x2: z.number(),
      y2: z.number(),
      imageWidth: z.number(),
      imageHeight: z.number(),
    }),
  ),
  labels: z.array(z.object({ boxId: z.string(), label: z.number().int().min(0) })),
});
export type BoxTable = z.infer<typeof BoxTableSchema>;

/** boxes.json of a boxes artefact: the box table without its labels, so label-blind stages key on boxes only. */
export const BoxListSchema = BoxTableSchema.pick({ boxes: true });
