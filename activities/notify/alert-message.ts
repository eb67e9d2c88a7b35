import type { NotifyEvent } from '../../pipelines/notify.js';

export interface FailedNode {
  node: string;
  stage: string;
  error: string;
}

/** The best configuration's mean accuracy and how it moved since the previous run of the series. */
export interface Headline {
  config: string;
  accuracy: number;
  previousWeek: string | null;
  /** Accuracy now minus the previous run's for the same configuration; null without a previous run. */
  change: number | null;
}

export interface RunOutcome {
  runId: string;
  pipeline: string;
  week: string;
  status: 'completed' | 'failed';
  failedNodes: FailedNode[];
  skipped: number;
}

/** The JSON body an alert posts: `text` for Slack/Teams incoming webhooks, `shelfssl` for programs. */
export interface AlertBody {
  text: string;
  shelfssl: RunOutcome & {
    events: NotifyEvent[];
    headline: Headline | null;
    uiUrl: string;
    rerun: string;
  };
}

const MAX_ERROR_CHARS = 300;

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const points = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)} pts`;
const clip = (s: string) => (s.length > MAX_ERROR_CHARS ? `${s.slice(0, MAX_ERROR_CHARS)}…` : s);

/** What happened, as events a `notify.on` list names: failure or success, plus regression. */
export function runEvents(outcome: RunOutcome, headline: Headline | null): NotifyEvent[] {
  const events: NotifyEvent[] = [outcome.status === 'failed' ? 'failure' : 'success'];
  if (headline?.change != null && headline.change < 0) events.push('regression');
  return events;
}

/** The command that runs it again: the failed stages (and their dependants), else the whole plan. */
export function rerunCommand(outcome: RunOutcome): string {
  const stages = [...new Set(outcome.failedNodes.map((n) => n.stage))];
  return stages.length > 0
    ? `shelfssl rerun ${outcome.runId} ${stages.map((s) => `--stage ${s}`).join(' ')}`
    : `shelfssl rerun ${outcome.runId} --force`;
}

function headlineText(h: Headline | null): string {
  if (!h) return 'no accuracy recorded for this run';
  const change =
    h.change === null ? 'no previous week' : `${points(h.change)} vs ${h.previousWeek ?? 'last run'}`;
  return `accuracy ${pct(h.accuracy)} (${h.config}), ${change}`;
}

export function alertBody(
  outcome: RunOutcome,
  headline: Headline | null,
  events: NotifyEvent[],
  uiUrl: string,
): AlertBody {
  const rerun = rerunCommand(outcome);
  const title = `shelfssl ${outcome.pipeline} ${outcome.week}: ${
    outcome.status === 'failed' ? 'FAILED' : 'finished'
  }${events.includes('regression') ? ' (accuracy fell)' : ''}`;
  const lines = [
    title,
    `run ${outcome.runId}: ${headlineText(headline)}`,
    ...outcome.failedNodes.map((n) => `• ${n.node} failed: ${clip(n.error)}`),
    ...(outcome.skipped > 0 ? [`${outcome.skipped} node(s) skipped behind the failure(s)`] : []),
    `Temporal UI: ${uiUrl}`,
    `re-run: ${rerun}`,
  ];
  return {
    text: lines.join('\n'),
    shelfssl: {
      ...outcome,
      failedNodes: outcome.failedNodes.map((n) => ({ ...n, error: clip(n.error) })),
      events,
      headline,
      uiUrl,
      rerun,
    },
  };
}
