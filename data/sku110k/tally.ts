import type { ReasonCount, ReasonExample } from './types.js';

/** Counts findings by reason and keeps the first few examples of each, so reports stay small on 1.7M rows. */
export class ReasonTally<R extends string> {
  private readonly table: Record<R, ReasonCount>;

  constructor(
    reasons: readonly R[],
    private readonly examplesPerReason: number,
  ) {
    this.table = Object.fromEntries(reasons.map((r) => [r, { count: 0, examples: [] }])) as unknown as Record<
      R,
      ReasonCount
    >;
  }

  add(reason: R, example: ReasonExample): void {
    const entry = this.table[reason];
    entry.count++;
    if (entry.examples.length < this.examplesPerReason) {
      entry.examples.push({ ...example, text: example.text.slice(0, 200) });
    }
  }

  total(): number {
    return Object.values<ReasonCount>(this.table).reduce((sum, entry) => sum + entry.count, 0);
  }

  toJSON(): Record<R, ReasonCount> {
    return structuredClone(this.table);
  }
}

/** A one-line-per-reason summary for error messages and logs. */
export function summariseReasons(table: Record<string, ReasonCount>): string {
  return Object.entries(table)
    .filter(([, entry]) => entry.count > 0)
    .map(([reason, entry]) => {
      const first = entry.examples[0];
      const where = first ? ` e.g. ${first.file}:${first.line} "${first.text}" (${first.detail})` : '';
      return `  ${reason}: ${entry.count}${where}`;
    })
    .join('\n');
}
