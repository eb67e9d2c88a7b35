import { ApplicationFailure, Context } from '@temporalio/activity';
import { z } from 'zod';
import { formatZodError } from '../../config/errors.js';
import { temporalUiUrl } from '../../config/temporal-ui.js';
import { NotifySchema, redactUrl } from '../../pipelines/notify.js';
import { bucketOf } from '../../store/artefacts.js';
import type { ActivityDeps } from '../deps.js';
import { weekOfRun } from '../stages/support/weekly-history.js';
import { alertBody, type Headline, runEvents } from './alert-message.js';

export const NotifyRunInputSchema = z.strictObject({
  notify: NotifySchema,
  runId: z.string().min(1),
  pipeline: z.string().min(1),
  week: z.string(),
  status: z.enum(['completed', 'failed']),
  failedNodes: z.array(z.strictObject({ node: z.string(), stage: z.string(), error: z.string() })),
  skipped: z.number().int().min(0),
});
export type NotifyRunInput = z.input<typeof NotifyRunInputSchema>;

export interface NotifyRunResult {
  sent: boolean;
  events: string[];
  /** The webhook, redacted: what may appear in logs and in the workflow's history. */
  webhook: string;
}

const WEBHOOK_TIMEOUT_MS = 10_000;

/** The best configuration of the run's weekly entry (written by the report of a scheduled run), if any. */
async function headlineOf(deps: ActivityDeps, pipeline: string, runId: string): Promise<Headline | null> {
  const { entry, previous } = await weekOfRun(bucketOf(deps.settings, deps.s3), pipeline, runId);
  if (!entry) return null;
  const best = Object.entries(entry.accuracy).sort(([, a], [, b]) => b - a)[0];
  if (!best) return null;
  const [config, accuracy] = best;
  const before = previous?.accuracy[config];
  return {
    config,
    accuracy,
    previousWeek: previous?.week ?? null,
    change: before === undefined ? null : accuracy - before,
  };
}

/** POSTs the body; a non-2xx answer or a timeout throws, so Temporal retries (boundedly, see the workflow). */
async function post(url: string, body: unknown): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
    });
  } catch (err) {
    // The fetch error may quote the URL: name only its redacted form.
    throw new Error(`webhook ${redactUrl(url)} unreachable (${(err as Error).name})`);
  }
  await res.body?.cancel();
  if (!res.ok) throw new Error(`webhook ${redactUrl(url)} answered HTTP ${res.status}`);
}

export function notifyActivities(deps: ActivityDeps) {
  return {
    /**
     * Sends a run's alert when one of its events is in `notify.on`. Runs after every run that has `notify`,
     * failed nodes or not; the workflow never lets its failure fail the run.
     */
    async notifyRun(raw: NotifyRunInput): Promise<NotifyRunResult> {
      const parsed = NotifyRunInputSchema.safeParse(raw);
      if (!parsed.success)
        throw ApplicationFailure.nonRetryable(formatZodError(parsed.error, 'notifyRun input'));
      const { notify, ...outcome } = parsed.data;
      const headline = await headlineOf(deps, outcome.pipeline, outcome.runId);
      const events = runEvents(outcome, headline);
      const webhook = redactUrl(notify.webhook);
      if (!events.some((e) => notify.on.includes(e))) return { sent: false, events, webhook };
      const uiUrl = temporalUiUrl(deps.settings, outcome.runId);
      await post(notify.webhook, alertBody(outcome, headline, events, uiUrl));
      Context.current().log.info(`alert sent to ${webhook}: ${events.join(', ')}`);
      return { sent: true, events, webhook };
    },
  };
}
