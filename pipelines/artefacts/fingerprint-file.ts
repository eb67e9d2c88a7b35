import { z } from 'zod';

/** fingerprint.json of a snapshot artefact: every dataset file's name, size and version (mtime or ETag). */
export const FingerprintFileSchema = z.strictObject({
  labels: z.string(),
  files: z.array(z.strictObject({ name: z.string(), size: z.number().int().min(0), version: z.string() })),
});
