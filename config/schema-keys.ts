import type { z } from 'zod';

/** The parts of zod's internal definition we walk; zod 4 keeps them on `_zod.def`. */
export interface ZodDef {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  items?: z.ZodType[];
  options?: z.ZodType[];
  discriminator?: string;
  valueType?: z.ZodType;
  values?: unknown[];
  entries?: Record<string, unknown>;
  defaultValue?: unknown;
  getter?: () => z.ZodType;
}

export function defOf(schema: z.ZodType): ZodDef {
  return (schema as unknown as { _zod: { def: ZodDef } })._zod.def;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'catch', 'readonly', 'nonoptional']);

/** The schema itself once defaults, optionals, pipes and lazies are looked through. */
function unwrap(schema: z.ZodType): z.ZodType {
  let cur = schema;
  for (let i = 0; i < 20; i++) {
    const def = defOf(cur);
    if (WRAPPERS.has(def.type) && def.innerType) cur = def.innerType;
    else if (def.type === 'pipe' && def.in) cur = def.in;
    else if (def.type === 'lazy' && def.getter) cur = def.getter();
    else break;
  }
  return cur;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The union member a value belongs to: by its discriminator when there is one, else the first object. */
function unionMember(def: ZodDef, value: unknown): z.ZodType | undefined {
  const options = def.options ?? [];
  if (def.discriminator && isRecord(value)) {
    const tag = value[def.discriminator];
    const match = options.find((o) => {
      const field = defOf(unwrap(o)).shape?.[def.discriminator ?? ''];
      return field !== undefined && (defOf(unwrap(field)).values ?? []).includes(tag);
    });
    if (match) return match;
  }
  return options.find((o) => defOf(unwrap(o)).type === 'object' || defOf(unwrap(o)).type === 'union');
}

/**
 * The keys an object schema at `path` allows, for "did you mean" hints on unknown keys; `input` picks the
 * member of a discriminated union (`kind: small-resnet`). Undefined where the path leads to no object.
 */
export function allowedKeysAt(
  schema: z.ZodType,
  path: readonly PropertyKey[],
  input: unknown,
): string[] | undefined {
  let cur: z.ZodType | undefined = schema;
  let value = input;
  for (let i = 0; i <= path.length && cur; i++) {
    cur = unwrap(cur);
    let def = defOf(cur);
    if (def.type === 'union') {
      cur = unionMember(def, value);
      if (!cur) return undefined;
      cur = unwrap(cur);
      def = defOf(cur);
    }
    if (i === path.length) return def.type === 'object' && def.shape ? Object.keys(def.shape) : undefined;
    const key = path[i];
    value =
      isRecord(value) || Array.isArray(value) ? (value as Record<PropertyKey, unknown>)[key!] : undefined;
    if (def.type === 'object') cur = def.shape?.[String(key)];
    else if (def.type === 'array') cur = def.element;
    else if (def.type === 'tuple') cur = def.items?.[Number(key)];
    else if (def.type === 'record') cur = def.valueType;
    else return undefined;
  }
  return undefined;
}

/** Edit distance counting a swap of neighbours as one edit (optimal string alignment): `lables` is 1 from `labels`. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      const up = d[i - 1]!;
      row[j] = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  return d[a.length]![b.length]!;
}

const squash = (s: string) => s.toLowerCase().replace(/[-_\s]/g, '');

/** The allowed key a typo most likely meant: same letters bar case/`_`/`-`, a plural, or a near spelling. */
export function closestKey(typo: string, allowed: readonly string[]): string | undefined {
  const t = squash(typo);
  const exact = allowed.find((k) => squash(k) === t);
  if (exact) return exact;
  let best: { key: string; d: number } | undefined;
  for (const key of allowed) {
    const d = editDistance(t, squash(key));
    if (d <= Math.max(1, Math.floor(key.length / 4)) && (!best || d < best.d)) best = { key, d };
  }
  return best?.key;
}
