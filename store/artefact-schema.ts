import { z } from 'zod';
import { artefactFileNameProblem } from './file-name.js';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 hex digest');

/** What Temporal carries between stages: a key and a digest, never data. */
export const ArtefactRefSchema = z.strictObject({
  stage: z.string().min(1),
  key: z.string().min(1),
  digest: sha256Hex,
});
export type ArtefactRef = z.infer<typeof ArtefactRefSchema>;

export const ManifestFileSchema = z.strictObject({
  name: z.string().superRefine((name, ctx) => {
    const problem = artefactFileNameProblem(name);
    if (problem) ctx.addIssue({ code: 'custom', message: `unsafe file name: ${problem}` });
  }),
  objectKey: z.string().min(1),
  sha256: sha256Hex,
  size: z.number().int().nonnegative(),
  etag: z.string(),
});
export type ManifestFile = z.infer<typeof ManifestFileSchema>;

/** A published artefact. Written last, after every file; readers trust it only when its files verify. */
export const ManifestSchema = z.strictObject({
  schema: z.literal('shelfssl.artefact/v1'),
  stage: z.string(),
  codeVersion: z.number().int(),
  /** The stage's code identity digest (store/code-identity.ts); absent in manifests written before it. */
  codeIdentity: sha256Hex.optional(),
  cacheKey: sha256Hex,
  digest: sha256Hex,
  params: z.unknown(),
  inputs: z.record(z.string(), ArtefactRefSchema),
  files: z.array(ManifestFileSchema),
  metrics: z.record(z.string(), z.unknown()),
  timings: z.strictObject({ startedAt: z.string(), finishedAt: z.string(), durationMs: z.number() }),
  createdAt: z.string(),
  worker: z.strictObject({ host: z.string(), pid: z.number().int(), backend: z.string().optional() }),
  /** HMAC of every other field with the workers' key (store/signing.ts); a manifest without it is not trusted. */
  signature: z
    .string()
    .regex(/^hmac-sha256:[0-9a-f]{64}$/, 'expected an hmac-sha256 signature')
    .optional(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
