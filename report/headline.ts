import {
  describeConfiguration,
  formatAccuracy,
  formatFraction,
  formatMeanStd,
  formatPointsDelta,
} from './format.js';
import { isBetter, type SummaryRow } from './summary.js';

/** The backbone every self-supervised result is measured against. */
export const BASELINE_BACKBONE = 'random-init';

/**
 * One plain-English sentence for the top of the Summary sheet: how the best
 * configuration does at the scarcest label fraction against the baseline, and
 * which configuration is best overall.
 */
export function describeHeadline(rows: readonly SummaryRow[]): string {
  const overall = bestOf(rows);
  if (!overall) return 'No training results in this run.';
  const scarcest = Math.min(...rows.map((r) => r.fractionPct));
  const atScarcest = rows.filter((r) => r.fractionPct === scarcest);
  const winner = bestOf(atScarcest) ?? overall;
  const rival = pickRival(atScarcest, winner);
  const lead = `At ${formatFraction(scarcest)} % labels, ${describeConfiguration(winner)} reaches ${formatAccuracy(winner.accuracyMean)}`;
  const comparison = rival
    ? ` vs ${formatAccuracy(rival.accuracyMean)} for ${rivalName(rival, winner)} (${formatPointsDelta(winner.accuracyMean - rival.accuracyMean)})`
    : '';
  const best = `best overall: ${describeConfiguration(overall)} at ${formatFraction(overall.fractionPct)} % labels, ${formatMeanStd(overall.accuracyMean, overall.accuracyStd)}`;
  return `${lead}${comparison}; ${best}.`;
}

function bestOf(rows: readonly SummaryRow[]): SummaryRow | undefined {
  return rows.reduce<SummaryRow | undefined>((best, r) => (!best || isBetter(r, best) ? r : best), undefined);
}

/**
 * The row the winner is compared with: the baseline backbone with the same head
 * if there is one, else the best baseline row, else the best other backbone.
 */
function pickRival(rows: readonly SummaryRow[], winner: SummaryRow): SummaryRow | undefined {
  const others = rows.filter((r) => r.backbone !== winner.backbone);
  const baselines = others.filter((r) => r.backbone === BASELINE_BACKBONE);
  return (
    baselines.find((r) => r.headMode === winner.headMode) ??
    bestOf(baselines) ??
    bestOf(others.filter((r) => r.headMode === winner.headMode)) ??
    bestOf(others)
  );
}

/** Names the rival by backbone alone when the head is the same, else in full. */
function rivalName(rival: SummaryRow, winner: SummaryRow): string {
  return rival.headMode === winner.headMode ? rival.backbone : describeConfiguration(rival);
}
