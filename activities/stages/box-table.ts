import { z } from 'zod';
import { formatZodError } from '../../config/errors.js';
import { SPLITS } from '../../data/sku110k/types.js';

/** The ingest artefact's box table, read back from MinIO (so parsed, like any outside input). */
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

export function parseBoxTable(raw: unknown): BoxTable {
  const parsed = BoxTableSchema.safeParse(raw);
  if (!parsed.success) throw new Error(formatZodError(parsed.error, 'ingest boxes.json'));
  return parsed.data;
}
