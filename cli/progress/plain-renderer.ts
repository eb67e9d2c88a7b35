import type { NodeState } from '../../workflows/run-state.js';
import { clock, countByStatus, duration, progressText, reasonText, statusText } from './node-text.js';
import type { ProgressRenderer } from './renderer.js';
import type { RunView } from './run-view.js';

/** What a node line says, without the time stamp: a line is printed only when this changes. */
function nodeLine(n: NodeState): string {
  const status = statusText(n);
  const parts = [n.id, status];
  if (n.status === 'running') parts.push(progressText(n.progress));
  if (n.status === 'done' && n.durationMs !== undefined) parts.push(`in ${duration(n.durationMs)}`);
  parts.push(reasonText(n));
  return parts.filter((p) => p !== '').join(' ');
}

function runLine(v: RunView): string {
  return `run ${v.workflowId} ${v.status} (${countByStatus(v.nodes)})`;
}

/** Non-TTY progress repeats a node's line at most this often unless its state changes (SHELFSSL_PROGRESS_EVERY_S). */
export const DEFAULT_PROGRESS_EVERY_MS = 30_000;

/** The interval from SHELFSSL_PROGRESS_EVERY_S (seconds; 0 prints every change), else 30 s. */
export function progressEveryMs(env: NodeJS.ProcessEnv = process.env): number {
  const s = Number(env.SHELFSSL_PROGRESS_EVERY_S);
  return env.SHELFSSL_PROGRESS_EVERY_S !== undefined && Number.isFinite(s) && s >= 0
    ? s * 1000
    : DEFAULT_PROGRESS_EVERY_MS;
}

/**
 * For logs and CI: like `plainRenderer`, but a node whose status stays the same (a 1,280-step SwAV reporting
 * its loss) prints at most one line per `everyMs`; every state change (running, done, failed, ...) prints at
 * once. Keeps a CI log to a few lines per node instead of hundreds.
 */
export function throttledPlainRenderer(everyMs = DEFAULT_PROGRESS_EVERY_MS): ProgressRenderer {
  const printed = new Map<string, { status: string; at: number }>();
  return {
    render(previous, next, now) {
      return plainRenderer.render(previous, next, now).filter((line) => {
        const node = next.nodes.find((n) => line.startsWith(`[${clock(now)}] ${n.id} `));
        if (!node) return true;
        const last = printed.get(node.id);
        if (last && last.status === node.status && now - last.at < everyMs) return false;
        printed.set(node.id, { status: node.status, at: now });
        return true;
      });
    },
  };
}

/**
 * For logs and CI (no TTY): one time-stamped line per change, e.g. `[12:00:01] crop running 120/200 images`
 * or `[12:00:02] ingest cached`. Pending nodes stay silent; the run's own line appears at start and end.
 */
export const plainRenderer: ProgressRenderer = {
  render(previous, next, now) {
    const stamp = `[${clock(now)}]`;
    const before = new Map((previous?.nodes ?? []).map((n) => [n.id, nodeLine(n)]));
    const lines: string[] = [];
    if (previous === undefined || previous.status !== next.status) {
      if (previous === undefined || next.status === 'running') lines.push(`${stamp} ${runLine(next)}`);
    }
    for (const n of next.nodes) {
      const line = nodeLine(n);
      if (n.status !== 'pending' && before.get(n.id) !== line) lines.push(`${stamp} ${line}`);
    }
    if (previous !== undefined && previous.status !== next.status && next.status !== 'running') {
      const took = next.finishedAt !== undefined ? ` in ${duration(next.finishedAt - next.startedAt)}` : '';
      lines.push(`${stamp} ${runLine(next)}${took}`);
    }
    return lines;
  },
};
