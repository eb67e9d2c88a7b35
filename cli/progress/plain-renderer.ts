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
