import { z } from 'zod';

/** crop-report.json of a crop artefact: pool sizes and the class balance of the labelled crops. */
export const CropReportFileSchema = z.object({
  images: z.number().int(),
  crops: z.number().int(),
  labelled: z.number().int(),
  unlabelled: z.number().int(),
  train: z.number().int(),
  test: z.number().int(),
  /** Labelled crops per class index in each split. */
  perClass: z.object({ train: z.array(z.number().int()), test: z.array(z.number().int()) }),
  classes: z.array(z.string()),
  cropSize: z.number().int(),
});
