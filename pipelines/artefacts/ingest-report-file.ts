import { z } from 'zod';

/** One reason rows were rejected (or warned about): how many, and a few examples. */
const ReasonSchema = z.object({
  count: z.number(),
  examples: z.array(z.object({ file: z.string(), line: z.number(), detail: z.string() })),
});
export type ReasonFile = z.infer<typeof ReasonSchema>;

/** ingest-report.json of an ingest artefact: counts, rejected rows and warnings, for the Data quality sheet. */
export const IngestReportFileSchema = z.object({
  counts: z.looseObject({
    rows: z.number(),
    goodBoxes: z.number(),
    images: z.number(),
    bySplit: z.record(z.string(), z.looseObject({ images: z.number() })),
  }),
  bad: z.record(z.string(), ReasonSchema),
  warnings: z.record(z.string(), ReasonSchema),
  labels: z.object({
    counts: z.record(z.string(), z.unknown()),
    bad: z.record(z.string(), ReasonSchema),
    warnings: z.record(z.string(), ReasonSchema),
  }),
});
