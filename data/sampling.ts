import { labelSeed, mulberry32, shuffled } from '../ml/random.js';

export interface LabelledItem {
  id: string;
  label: number;
}

/**
 * Nested, stratified, seeded label samples: each class's items are shuffled once, and a fraction takes a
 * prefix of that order, so the 10 % sample lies inside the 20 % one, ..., inside 100 %. Per class the count
 * is round(n·f/100) (at least one item when the class has any), i.e. within one item of exact stratification.
 */
export function nestedStratifiedSample(
  items: readonly LabelledItem[],
  fractions: readonly number[],
  seed: number,
): Record<string, string[]> {
  const byClass = new Map<number, string[]>();
  for (const item of items) {
    const list = byClass.get(item.label) ?? [];
    list.push(item.id);
    byClass.set(item.label, list);
  }
  const orders = [...byClass.entries()]
    .sort(([a], [b]) => a - b)
    .map(([label, ids]) => shuffled([...ids].sort(), mulberry32(labelSeed(seed, `class-${label}`))));
  const out: Record<string, string[]> = {};
  for (const f of fractions) {
    out[String(f)] = orders.flatMap((ids) => ids.slice(0, Math.max(1, Math.round((ids.length * f) / 100))));
  }
  return out;
}
