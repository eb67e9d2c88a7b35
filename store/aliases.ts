import { z } from 'zod';
import { formatZodError } from '../config/errors.js';
import { ArtefactRefSchema } from './artefact-schema.js';
import type { Bucket } from './artefacts.js';
import { isNotFound, readObject } from './s3.js';
import { sign, verifySignature } from './signing.js';

/** backbone/head/fraction/seed of one trained configuration of a run (a head node of its sweep). */
export const ModelConfigSchema = z.strictObject({
  backbone: z.string().min(1),
  mode: z.string().min(1),
  fraction: z.number().gt(0).max(100),
  seed: z.number().int(),
});
export type ModelConfig = z.infer<typeof ModelConfigSchema>;

const Triple = z.tuple([z.number(), z.number(), z.number()]);

/**
 * Everything needed to apply a trained model to new crops, read once from the run's artefacts: the backbone and
 * head artefacts, how crops were cut (size, padding) and normalised, the class names and the test metrics.
 * An alias stores it whole, so predicting with an alias does not depend on Temporal still holding the run.
 */
export const ResolvedModelSchema = z.strictObject({
  runId: z.string().min(1),
  config: ModelConfigSchema,
  backbone: ArtefactRefSchema,
  head: ArtefactRefSchema,
  crop: ArtefactRefSchema,
  evaluation: ArtefactRefSchema.optional(),
  classes: z.array(z.string()).min(2),
  cropSize: z.number().int().positive(),
  padding: z.number().min(0),
  normalization: z.strictObject({ mean: Triple, std: Triple }),
  metrics: z
    .strictObject({ accuracy: z.number(), macroF1: z.number(), testSize: z.number().int() })
    .optional(),
});
export type ResolvedModel = z.infer<typeof ResolvedModelSchema>;

export const AliasEntrySchema = z.strictObject({
  model: ResolvedModelSchema,
  setAt: z.string(),
  /** Why it was set: `promote` by hand, or a scheduled run's champion/challenger decision. */
  note: z.string(),
});
export type AliasEntry = z.infer<typeof AliasEntrySchema>;

export const AliasFileSchema = z.strictObject({
  schema: z.literal('shelfssl.alias/v1'),
  name: z.string(),
  current: AliasEntrySchema,
  /** Every earlier value, newest first: who was champion when, and why it changed. */
  history: z.array(AliasEntrySchema),
  /** HMAC of the rest with the workers' key: a bucket writer without it cannot repoint `production`. */
  signature: z.string().optional(),
});
export type AliasFile = Omit<z.infer<typeof AliasFileSchema>, 'signature'>;

export const ALIAS_NAME = /^[a-z][a-z0-9_-]{0,62}$/;

export function aliasKey(name: string): string {
  return `aliases/${name}.json`;
}

/** The alias file, or undefined when no alias of that name was ever set. A malformed file fails naming it. */
export async function readAlias(b: Bucket, name: string): Promise<AliasFile | undefined> {
  if (!ALIAS_NAME.test(name)) return undefined;
  let raw: Buffer;
  try {
    raw = await readObject(b.s3, b.bucket, aliasKey(name));
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const parsed = AliasFileSchema.safeParse(JSON.parse(raw.toString('utf8')));
  if (!parsed.success) throw new Error(formatZodError(parsed.error, `alias file ${aliasKey(name)}`));
  const { signature, ...file } = parsed.data;
  if (!verifySignature(b.signingKey, 'alias', file, signature))
    throw new Error(
      `alias file ${aliasKey(name)} is ${signature ? 'signed with another key' : 'not signed'}: it was not ` +
        "written by a shelfssl holding this store's manifest key; set the alias again with `shelfssl promote`",
    );
  return file;
}

/** Points the alias at `entry`; the value it had goes to the front of its history. */
export async function setAlias(b: Bucket, name: string, entry: AliasEntry): Promise<AliasFile> {
  if (!ALIAS_NAME.test(name))
    throw new Error(`alias "${name}": lowercase letters, digits, _ and -, starting with a letter`);
  const before = await readAlias(b, name);
  const file: AliasFile = {
    schema: 'shelfssl.alias/v1',
    name,
    current: entry,
    history: before ? [before.current, ...before.history] : [],
  };
  const signed = { ...file, signature: sign(b.signingKey, 'alias', file) };
  const body = Buffer.from(`${JSON.stringify(signed, null, 2)}\n`, 'utf8');
  await b.s3.putObject(b.bucket, aliasKey(name), body, body.length, { 'Content-Type': 'application/json' });
  return file;
}

/**
 * The run an alias's model comes from, or undefined for a name that is no alias: the lookup commands that take a
 * run (e.g. `suggest`'s `resolveRunName(name, [(n) => aliasRunId(bucket, n)])`) plug in.
 */
export async function aliasRunId(b: Bucket, name: string): Promise<string | undefined> {
  return (await readAlias(b, name))?.current.model.runId;
}
