import { z } from 'zod';

/**
 * crop-report.json of a crop artefact: how many crops, and how many lie in the held-out region. Label-blind on
 * purpose (labelled/test counts come from the labels, pipelines/artefacts/box-table-file.ts).
 */
export const CropReportFileSchema = z.object({
  images: z.number().int(),
  crops: z.number().int(),
  /** Crops in the held-out region: never pretrained on; its labelled crops are the fixed test split. */
  heldOut: z.number().int(),
  cropSize: z.number().int(),
});
