import { z } from 'zod';

/** What a run may alert about: it failed (in part), it finished, its headline accuracy fell vs last week. */
export const NotifyEvent = z.enum(['failure', 'success', 'regression']);
export type NotifyEvent = z.infer<typeof NotifyEvent>;

// A regex, not `new URL`: the workflow parses its input too, and the workflow sandbox has no URL global.
const WebhookUrl = z
  .string()
  .max(2048)
  .regex(/^https?:\/\/[^\s/?#@]+(?:[/?#]\S*)?$/i, 'an http(s) URL, e.g. a Slack or Teams incoming webhook');

/** Run config `notify`: where run alerts go (a Slack/Teams-compatible incoming webhook) and on which events. */
export const NotifySchema = z.strictObject({
  webhook: WebhookUrl,
  on: z
    .array(NotifyEvent)
    .min(1)
    .refine((e) => new Set(e).size === e.length, 'each event once')
    .default(['failure', 'regression']),
});
export type Notify = z.infer<typeof NotifySchema>;

/**
 * A webhook URL fit for logs and messages: scheme, host and the first path segment; the rest of the path
 * and the query are where incoming webhooks keep their tokens (`hooks.slack.com/services/T…/B…/secret`).
 */
export function redactUrl(raw: string): string {
  if (!URL.canParse(raw)) return '[unparseable URL]';
  const u = new URL(raw);
  const [first, ...rest] = u.pathname.split('/').filter((s) => s.length > 0);
  const path = first === undefined ? '/' : `/${first}${rest.length > 0 ? '/…' : ''}`;
  return `${u.protocol}//${u.host}${path}${u.search ? '?…' : ''}`;
}
