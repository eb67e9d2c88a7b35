import { z } from 'zod';
import { formatZodError } from '../../config/errors.js';
import type { Bucket } from '../artefacts.js';
import { isNotFound, readObject } from '../s3.js';

const PINS_KEY = 'gc/pinned-runs.json';
const PinsSchema = z.strictObject({ runs: z.array(z.string().min(1)) });

/** Runs `shelfssl gc --pin` keeps for good (with everything they reach), whatever `--keep-runs` says. */
export async function readPins(b: Bucket): Promise<string[]> {
  let raw: Buffer;
  try {
    raw = await readObject(b.s3, b.bucket, PINS_KEY);
  } catch (err) {
    if (isNotFound(err)) return [];
    throw err;
  }
  const parsed = PinsSchema.safeParse(JSON.parse(raw.toString('utf8')));
  if (!parsed.success) throw new Error(formatZodError(parsed.error, PINS_KEY));
  return parsed.data.runs;
}

export async function updatePins(
  b: Bucket,
  pin: readonly string[],
  unpin: readonly string[],
): Promise<string[]> {
  const runs = [...new Set([...(await readPins(b)), ...pin])].filter((r) => !unpin.includes(r)).sort();
  const body = Buffer.from(`${JSON.stringify({ runs }, null, 2)}\n`);
  await b.s3.putObject(b.bucket, PINS_KEY, body, body.length, { 'Content-Type': 'application/json' });
  return runs;
}
