import type { z } from 'zod';
import { allowedKeysAt, closestKey } from './schema-keys.js';

/** Keys whose values are secrets wherever they appear (S3 secret key, Temporal API key, signing keys, webhook URLs...). */
const SECRET_KEY =
  /secret|password|passwd|token|api_?key|private_?key|credential|signing_?key|manifest_?key|webhook/i;

export function isSecretKey(key: PropertyKey): boolean {
  return SECRET_KEY.test(String(key));
}

/**
 * A copy of `value` with every secret-named key's value replaced, at any depth: an error about an unknown
 * key prints its parent object, which may hold the secret next to it.
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object' || depth > 20) return value;
  if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, isSecretKey(k) ? '[redacted]' : redactSecrets(v, depth + 1)]),
  );
}

/**
 * Turns a zod error into one line per problem: `where: field.path: message (got value)`. With the schema,
 * an unknown key gets its own line with the key it most likely meant and the keys allowed there.
 */
export function formatZodError(
  error: z.ZodError,
  where: string,
  input?: unknown,
  schema?: z.ZodType,
): string {
  const lines = error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => unknownKeyLine(issue.path, key, input, schema));
    const field = fieldName(issue.path);
    const hidden = issue.path.some(isSecretKey);
    const value = input === undefined ? undefined : valueAt(input, issue.path);
    // "missing: set X" already says it; a second "(missing)" would stutter.
    const saysMissing = value === undefined && /^missing\b/.test(issue.message);
    const got = input === undefined || hidden || saysMissing ? '' : describeValue(redactSecrets(value));
    return [`  ${field}: ${issue.message}${got}`];
  });
  return `${where} is invalid:\n${lines.join('\n')}`;
}

function fieldName(p: readonly PropertyKey[]): string {
  return p.length > 0 ? p.map(String).join('.') : '(root)';
}

/** `arch.input_size: unknown key (got 16); did you mean "inputSize"? allowed here: kind, inputSize, ...` */
function unknownKeyLine(
  at: readonly PropertyKey[],
  key: string,
  input: unknown,
  schema: z.ZodType | undefined,
): string {
  const allowed = schema ? allowedKeysAt(schema, at, input) : undefined;
  const guess = allowed ? closestKey(key, allowed) : undefined;
  const hidden = [...at, key].some(isSecretKey);
  const got = input === undefined || hidden ? '' : describeValue(redactSecrets(valueAt(input, [...at, key])));
  const fix = guess
    ? `; did you mean "${guess}"?`
    : allowed
      ? `; remove it, the keys allowed here are: ${allowed.join(', ')}`
      : '; remove it';
  return `  ${fieldName([...at, key])}: unknown key${got}${fix}`;
}

function valueAt(input: unknown, p: readonly PropertyKey[]): unknown {
  let cur: unknown = input;
  for (const key of p) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describeValue(v: unknown): string {
  if (v === undefined) return ' (missing)';
  const text = JSON.stringify(v);
  return ` (got ${text && text.length > 60 ? `${text.slice(0, 57)}...` : text})`;
}

/** Parses `input` or throws an Error whose message names each bad field and the value it had. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  const result = schema.safeParse(input);
  if (!result.success) throw new UsageError(formatZodError(result.error, where, input, schema));
  return result.data;
}

/** A problem with what the user gave us (flags, config): the CLI exits 2 for these. */
export class UsageError extends Error {
  override name = 'UsageError';
}
