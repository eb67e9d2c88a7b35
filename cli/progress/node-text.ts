import type { StageProgress } from '../../pipelines/progress.js';
import type { NodeState } from '../../workflows/run-state.js';
import { upstreamText } from '../../workflows/upstream.js';

/** Text shared by both renderers, so a TTY bar and a log line say the same thing. */

export function clock(now: number): string {
  const d = new Date(now);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((x) => String(x).padStart(2, '0')).join(':');
}

export function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${(ms / 1000).toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return m < 60
    ? `${m}m${String(s % 60).padStart(2, '0')}s`
    : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** A run's wall time as its own clock saw it (`run` and `status` both print this, so they agree). */
export function runDuration(v: { startedAt: number; finishedAt?: number }, now = Date.now()): string {
  return duration(Math.max(0, (v.finishedAt ?? now) - v.startedAt));
}

/** "cached" reads better than "cached (cache hit)"; a done node that hit the cache also says so. */
export function statusText(n: NodeState): string {
  return n.cacheHit === true ? 'cached' : n.status;
}

/**
 * Why a node has no artefact: its own error when it failed, `(upstream: backbone@swav)` when it was skipped
 * because that node failed, so an error is printed once, at the node that failed. Empty otherwise.
 */
export function reasonText(n: NodeState): string {
  if (n.status === 'failed') return n.error ?? '';
  if (n.status === 'skipped' && n.upstream?.length) return `(${upstreamText(n.upstream)})`;
  return '';
}

/** A table's status cell: `skipped (upstream: backbone@swav)` for a skipped node, else the status. */
export function statusCell(status: string, n: NodeState): string {
  return n.status === 'skipped' ? [status, reasonText(n)].filter((p) => p !== '').join(' ') : status;
}

/** `120/200 images epoch 3 step 40 loss 0.4123 step 12`: only what the stage reported. */
export function progressText(p: StageProgress | undefined): string {
  if (!p) return '';
  const parts: string[] = [];
  if (p.done !== undefined && p.total !== undefined)
    parts.push(`${p.done}/${p.total}${p.unit ? ` ${p.unit}` : ''}`);
  else if (p.done !== undefined) parts.push(`${p.done}${p.unit ? ` ${p.unit}` : ''}`);
  if (p.epoch !== undefined) parts.push(`epoch ${p.epoch}`);
  if (p.step !== undefined && p.step !== p.done) parts.push(`step ${p.step}`);
  if (p.loss !== undefined) parts.push(`loss ${p.loss.toFixed(4)}`);
  if (p.message !== undefined && parts.length === 0) parts.push(p.message);
  return parts.join(' ');
}

/** Remaining time from the average rate since the node started; undefined until there is a rate. */
export function etaMs(n: NodeState, now: number): number | undefined {
  const p = n.progress;
  if (n.status !== 'running' || !p || p.done === undefined || !p.total || n.startedAt === undefined)
    return undefined;
  const elapsed = (p.at ?? now) - n.startedAt;
  if (p.done <= 0 || elapsed <= 0) return undefined;
  return Math.max(0, ((p.total - p.done) * elapsed) / p.done - (now - (p.at ?? now)));
}

/** A fixed-width bar for done/total, e.g. `[#######-------------]`. */
export function bar(p: StageProgress | undefined, width = 20): string {
  const ratio = p?.done !== undefined && p.total ? Math.min(1, p.done / p.total) : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export function countByStatus(nodes: readonly NodeState[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(statusText(n), (counts.get(statusText(n)) ?? 0) + 1);
  return [...counts].map(([s, c]) => `${c} ${s}`).join(', ');
}
