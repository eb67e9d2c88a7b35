import type { ResolvedModel } from '../../store/aliases.js';

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

/** `paper-…/swav/supervised/10/seed1 (accuracy 81.2 %, macro F1 80.1 %)`: a model in one line. */
export function modelText(m: ResolvedModel): string {
  const c = m.config;
  const metrics = m.metrics
    ? ` (accuracy ${pct(m.metrics.accuracy)}, macro F1 ${pct(m.metrics.macroF1)})`
    : '';
  return `${m.runId}/${c.backbone}/${c.mode}/${c.fraction}/${c.seed}${metrics}`;
}
