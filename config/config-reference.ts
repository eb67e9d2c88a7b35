import type { z } from 'zod';
import { defOf } from './schema-keys.js';

/** One documented key: its path (`backbones[].swav.epochs`), when it applies, its type and default. */
export interface KeyDoc {
  key: string;
  when: string;
  type: string;
  default: string;
}

function fmt(v: unknown): string {
  if (v === undefined) return '';
  const text = JSON.stringify(v);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Looks through optional/default/pipe wrappers, keeping the outermost default. */
function peel(schema: z.ZodType): { inner: z.ZodType; dflt: unknown; optional: boolean } {
  let cur = schema;
  let dflt: unknown;
  let optional = false;
  for (let i = 0; i < 20; i++) {
    const d = defOf(cur);
    if ((d.type === 'default' || d.type === 'prefault') && d.innerType) {
      if (dflt === undefined) dflt = d.defaultValue;
      cur = d.innerType;
    } else if ((d.type === 'optional' || d.type === 'nullable') && d.innerType) {
      optional = true;
      cur = d.innerType;
    } else if (d.type === 'pipe' && d.in) cur = d.in;
    else if (d.type === 'readonly' && d.innerType) cur = d.innerType;
    else break;
  }
  return { inner: cur, dflt, optional };
}

/** A short type: `number`, `'auto' | number`, `list of string`, `supervised | semi-supervised`. */
export function typeText(schema: z.ZodType): string {
  const { inner } = peel(schema);
  const d = defOf(inner);
  switch (d.type) {
    case 'enum':
      return Object.values(d.entries ?? {}).join(' | ');
    case 'literal':
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
    case 'union':
      return (d.options ?? []).map(typeText).join(' | ');
    case 'array':
      return d.element ? `list of ${typeText(d.element)}` : 'list';
    case 'tuple':
      return `[${(d.items ?? []).map(typeText).join(', ')}]`;
    case 'record':
      return 'mapping';
    default:
      return d.type;
  }
}

function isObjectLike(s: z.ZodType): boolean {
  const d = defOf(peel(s).inner);
  if (d.type === 'object') return true;
  if (d.type === 'union') return (d.options ?? []).some(isObjectLike);
  if (d.type === 'array' && d.element) return isObjectLike(d.element);
  return false;
}

/**
 * Every key a schema accepts, depth first: objects recurse (`crop.cropSize`), lists of objects recurse with
 * `[]` (`backbones[].name`), members of a discriminated union recurse with their tag as `when`
 * (`kind: swav`). Generated from the schema, so the reference cannot drift from what is parsed.
 */
export function configReference(schema: z.ZodType, prefix = '', when = ''): KeyDoc[] {
  const { inner, dflt, optional } = peel(schema);
  const d = defOf(inner);
  if (d.type === 'object' && d.shape) {
    return Object.entries(d.shape).flatMap(([k, v]) =>
      configReference(v, prefix ? `${prefix}.${k}` : k, when),
    );
  }
  if (d.type === 'array' && d.element && isObjectLike(d.element)) {
    const own: KeyDoc[] =
      dflt !== undefined ? [{ key: prefix, when, type: 'list', default: `${fmt(dflt)}` }] : [];
    return [...own, ...configReference(d.element, `${prefix}[]`, when)];
  }
  if (d.type === 'union' && (d.options ?? []).every(isObjectLike)) {
    const rows: KeyDoc[] = [];
    const seen = new Set<string>();
    for (const option of d.options ?? []) {
      const tag = d.discriminator
        ? typeText(defOf(peel(option).inner).shape?.[d.discriminator] ?? option)
        : '';
      // Relative to the nearest list item: `kind: "swav"`, `arch.kind: "small-resnet"`.
      const rel = prefix.includes('[]') ? prefix.slice(prefix.lastIndexOf('[]') + 3) : prefix;
      const memberWhen = d.discriminator ? `${rel ? `${rel}.` : ''}${d.discriminator}: ${tag}` : when;
      for (const row of configReference(option, prefix, [when, memberWhen].filter(Boolean).join(', '))) {
        const id = `${row.key}|${row.when}`;
        if (!seen.has(id)) rows.push(row);
        seen.add(id);
      }
    }
    return rows;
  }
  return [
    {
      key: prefix,
      when,
      type: typeText(inner),
      default: dflt !== undefined ? fmt(dflt) : optional ? '(optional)' : '(required)',
    },
  ];
}

/** Rows that differ only in `when` (a key every union member has) become one row naming every case. */
export function mergeCases(rows: readonly KeyDoc[]): KeyDoc[] {
  const out: KeyDoc[] = [];
  for (const r of rows) {
    const same = out.find((o) => o.key === r.key && o.type === r.type && o.default === r.default);
    if (same && same.when !== r.when) same.when = `${same.when} or ${r.when}`;
    else if (!same) out.push({ ...r });
  }
  return out;
}

/** The reference as a markdown table (README's run-config section embeds it). */
export function referenceTable(rows: readonly KeyDoc[]): string[] {
  const cell = (s: string) => s.replace(/\|/g, '\\|');
  return [
    '| key | applies when | type | default |',
    '|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| \`${r.key}\` | ${r.when ? cell(r.when) : ''} | ${cell(r.type)} | ${r.default ? `\`${cell(r.default)}\`` : ''} |`,
    ),
  ];
}
