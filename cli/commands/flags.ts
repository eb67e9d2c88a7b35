import { z } from 'zod';
import { UsageError } from '../../config/errors.js';

/** `labelShare` -> `--label-share`: errors name the flag the user typed, not our field name. */
function flagName(field: PropertyKey): string {
  return `--${String(field).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Validates parsed flag strings with a zod schema (usually with coercion). Each problem becomes
 * `--flag: what is allowed (got "value")`, so a user sees the flag, its value and the rule in one line.
 */
export function parseFlagValues<S extends z.ZodType>(
  schema: S,
  values: Record<string, unknown>,
): z.output<S> {
  const result = schema.safeParse(values);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const [field, ...rest] = issue.path;
    const flag = field === undefined ? 'flags' : flagName(field);
    const got = field === undefined ? undefined : values[String(field)];
    const where = rest.length > 0 ? ` item ${rest.join('.')}` : '';
    return `${flag}${where}: ${issue.message}${got === undefined ? '' : ` (got ${JSON.stringify(got)})`}`;
  });
  throw new UsageError(lines.join('\n'));
}

/** An integer flag with bounds, e.g. `--hour 0-23`; the message states the allowed range. */
export function intFlag(min: number, max: number, example: string) {
  const rule = `an integer from ${min} to ${max}, e.g. ${example}`;
  return z
    .string()
    .regex(/^-?\d+$/, rule)
    .transform(Number)
    .pipe(z.number().int().min(min, rule).max(max, rule));
}

/** A number flag with inclusive bounds (`--label-share 0.3`). */
export function numberFlag(min: number, max: number, example: string) {
  const rule = `a number from ${min} to ${max}, e.g. ${example}`;
  return z
    .string()
    .regex(/^-?(\d+\.?\d*|\.\d+)$/, rule)
    .transform(Number)
    .pipe(z.number().min(min, rule).max(max, rule));
}

/** `--fractions 10,20,30`: percentages of labelled data, each in (0, 100]. */
export const FractionsFlag = z
  .string()
  .min(1, 'a comma-separated list of percentages in (0, 100], e.g. 10,20,30')
  .transform((s) => s.split(',').map((x) => x.trim()))
  .pipe(
    z.array(
      z
        .string()
        .regex(/^(\d+\.?\d*|\.\d+)$/, 'each fraction is a percentage in (0, 100], e.g. 10,20,30')
        .transform(Number)
        .pipe(
          z
            .number()
            .gt(0, 'each fraction is a percentage in (0, 100], e.g. 10,20,30')
            .max(100, 'each fraction is a percentage in (0, 100], e.g. 10,20,30'),
        ),
    ),
  );
