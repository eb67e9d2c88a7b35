import { z } from 'zod';

/** sample.json of a sample artefact: the box ids of every nested label fraction ("10" -> ids). */
export const SampleFileSchema = z.object({
  seed: z.number().int(),
  candidates: z.number().int().min(0),
  samples: z.record(z.string(), z.array(z.string())),
});
