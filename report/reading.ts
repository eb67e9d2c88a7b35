import type { z } from 'zod';
import { formatAccuracy, formatFraction, formatPointsDelta } from './format.js';
import type { BackboneRoleSchema } from './model.js';

export type BackboneRole = z.infer<typeof BackboneRoleSchema>;

export interface ReadingRow {
  backbone: string;
  headMode: string;
  fractionPct: number;
  accuracyMean: number;
  accuracyStd: number;
}

const pts = (x: number) => (x * 100).toFixed(1);
const cell = (r: ReadingRow) => `${formatAccuracy(r.accuracyMean)} ± ${pts(r.accuracyStd)}`;

function best(rows: readonly ReadingRow[]): ReadingRow | undefined {
  return rows.reduce<ReadingRow | undefined>(
    (b, r) => (!b || r.accuracyMean > b.accuracyMean ? r : b),
    undefined,
  );
}

/** A difference counts only when it is larger than both seed spreads (sample std over seeds). */
function spreadWord(a: ReadingRow, b: ReadingRow): string {
  return Math.abs(a.accuracyMean - b.accuracyMean) > Math.max(a.accuracyStd, b.accuracyStd)
    ? 'more than the seed spread'
    : 'within the seed spread';
}

/** Per fraction: the best configuration and its lead over the best row of any other backbone. */
function winners(rows: readonly ReadingRow[], fractions: readonly number[]): string {
  const parts = fractions.flatMap((f) => {
    const at = rows.filter((r) => r.fractionPct === f);
    const top = best(at);
    if (!top) return [];
    const next = best(at.filter((r) => r.backbone !== top.backbone));
    const lead = next
      ? ` (${formatPointsDelta(top.accuracyMean - next.accuracyMean)} over ${next.backbone}, ${spreadWord(top, next)})`
      : '';
    return [`${formatFraction(f)} %: ${top.backbone} + ${top.headMode} head, ${cell(top)}${lead}`];
  });
  return `Best per label fraction: ${parts.join('; ')}.`;
}

/** In-domain vs the best out-of-domain backbone (any head) at each fraction, summarised. */
function inVsOut(
  rows: readonly ReadingRow[],
  roles: Record<string, BackboneRole>,
  fractions: readonly number[],
) {
  const of = (role: BackboneRole, f: number) =>
    best(rows.filter((r) => r.fractionPct === f && roles[r.backbone] === role));
  const pairs = fractions.flatMap((f) => {
    const a = of('in-domain', f);
    const b = of('out-of-domain', f);
    return a && b ? [{ f, a, b }] : [];
  });
  if (pairs.length === 0) return '';
  const wins = pairs.filter((p) => p.a.accuracyMean > p.b.accuracyMean).length;
  const ends = [pairs[0]!, pairs[pairs.length - 1]!].filter((p, i, all) => i === 0 || p.f !== all[0]!.f);
  const detail = ends
    .map(
      (p) =>
        `at ${formatFraction(p.f)} % ${p.a.backbone} ${cell(p.a)} vs ${p.b.backbone} ${cell(p.b)} ` +
        `(${formatPointsDelta(p.a.accuracyMean - p.b.accuracyMean)}, ${spreadWord(p.a, p.b)})`,
    )
    .join('; ');
  const verdict =
    wins === pairs.length
      ? 'beat the best out-of-domain backbone at every fraction'
      : wins === 0
        ? 'beat the best out-of-domain backbone at no fraction'
        : `beat the best out-of-domain backbone at ${wins} of ${pairs.length} fractions`;
  return `Backbones trained on this run's own crops ${verdict}: ${detail}.`;
}

/** The best non-control backbone against the control at the scarcest fraction. */
function overControl(rows: readonly ReadingRow[], roles: Record<string, BackboneRole>, f: number): string {
  const at = rows.filter((r) => r.fractionPct === f);
  const control = best(at.filter((r) => roles[r.backbone] === 'control'));
  const top = best(at.filter((r) => roles[r.backbone] !== 'control'));
  if (!control || !top) return '';
  return (
    `Against the random-init control at ${formatFraction(f)} %, ${top.backbone} is ` +
    `${formatPointsDelta(top.accuracyMean - control.accuracyMean)} (${cell(control)} for ${control.backbone}).`
  );
}

/** Pseudo-labelling: the mean change semi-supervised makes over supervised, per backbone, at the scarcest fraction. */
function pseudoLabels(rows: readonly ReadingRow[], f: number): string {
  const deltas = [...new Set(rows.map((r) => r.backbone))].flatMap((b) => {
    const sup = rows.find((r) => r.backbone === b && r.fractionPct === f && r.headMode === 'supervised');
    const semi = rows.find(
      (r) => r.backbone === b && r.fractionPct === f && r.headMode === 'semi-supervised',
    );
    return sup && semi ? [`${b} ${formatPointsDelta(semi.accuracyMean - sup.accuracyMean)}`] : [];
  });
  return deltas.length
    ? `Pseudo-labelling vs the supervised head at ${formatFraction(f)} %: ${deltas.join(', ')}.`
    : '';
}

/**
 * The "what this says" paragraph of a Table 2: which configuration wins at which label fraction and by how
 * much against the seed spread, whether backbones trained on the run's own crops beat those brought in,
 * how far the best is above random init, and what pseudo-labelling changes. Whatever the numbers are.
 */
export function describeReading(rows: readonly ReadingRow[], roles: Record<string, BackboneRole>): string {
  const fractions = [...new Set(rows.map((r) => r.fractionPct))].sort((a, b) => a - b);
  if (fractions.length === 0) return 'No training results in this run.';
  const scarcest = fractions[0]!;
  return [
    winners(rows, fractions),
    inVsOut(rows, roles, fractions),
    overControl(rows, roles, scarcest),
    pseudoLabels(rows, scarcest),
  ]
    .filter((s) => s.length > 0)
    .join(' ');
}
