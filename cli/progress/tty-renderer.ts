import type { NodeState } from '../../workflows/run-state.js';
import {
  bar,
  clock,
  countByStatus,
  duration,
  etaMs,
  progressText,
  reasonText,
  statusText,
} from './node-text.js';
import type { ProgressRenderer } from './renderer.js';
import type { RunView } from './run-view.js';

const UP = (n: number) => `\x1b[${n}A`;
const CLEAR_TO_END = '\x1b[J';

/** One row per node worth seeing: in flight and failed first, then the most recently finished ones. */
function visibleNodes(nodes: readonly NodeState[], maxRows: number): { rows: NodeState[]; hidden: number } {
  const shown = nodes.filter((n) => n.status !== 'pending');
  if (shown.length <= maxRows) return { rows: shown, hidden: 0 };
  const urgent = shown.filter((n) => ['running', 'checking', 'failed'].includes(n.status));
  const rest = shown.filter((n) => !urgent.includes(n)).slice(-Math.max(0, maxRows - urgent.length));
  const keep = new Set([...urgent.slice(0, maxRows), ...rest]);
  const rows = shown.filter((n) => keep.has(n));
  return { rows, hidden: shown.length - rows.length };
}

/**
 * An id that fits `width`: a long one keeps its stage (`head@`) and its tail (`10pct/seed1`) with `…` between,
 * so two sweep points never shrink to the same text.
 */
export function fitId(id: string, width: number): string {
  if (id.length <= width) return id.padEnd(width);
  const head = Math.max(0, Math.min(id.indexOf('@') + 1, Math.floor((width - 1) / 3)));
  return `${id.slice(0, head)}…${id.slice(id.length - (width - 1 - head))}`;
}

function nodeRow(n: NodeState, idWidth: number, now: number): string {
  const id = fitId(n.id, idWidth);
  const status = statusText(n).padEnd(8);
  if (n.status === 'running') {
    const eta = etaMs(n, now);
    const detail = [progressText(n.progress), eta !== undefined ? `ETA ${duration(Math.round(eta))}` : '']
      .filter((x) => x !== '')
      .join('  ');
    return `${id} ${status} ${bar(n.progress)} ${detail}`.trimEnd();
  }
  if (n.status === 'done')
    return `${id} ${status} ${n.durationMs !== undefined ? duration(n.durationMs) : ''}`.trimEnd();
  if (n.status === 'failed' || n.status === 'skipped') return `${id} ${status} ${reasonText(n)}`.trimEnd();
  return `${id} ${status}`.trimEnd();
}

/** The whole block for one snapshot; its height is what the next frame moves the cursor up by. */
function frame(v: RunView, now: number, maxRows: number): string[] {
  const elapsed = (v.finishedAt ?? now) - v.startedAt;
  const { rows, hidden } = visibleNodes(v.nodes, maxRows);
  const idWidth = Math.min(40, Math.max(8, ...rows.map((n) => n.id.length)));
  return [
    `${v.pipeline} ${v.status} ${duration(Math.max(0, elapsed))} [${clock(now)}]  ${countByStatus(v.nodes)}`,
    ...rows.map((n) => nodeRow(n, idWidth, now)),
    ...(hidden > 0 ? [`… ${hidden} more finished nodes`] : []),
  ];
}

/**
 * For a terminal: redraws one block of progress bars in place. The first line of each frame carries the ANSI
 * sequence that moves the cursor back over the previous frame and clears it, so the output is still just lines.
 */
export function ttyRenderer(maxRows = 30): ProgressRenderer {
  return {
    render(previous, next, now) {
      const lines = frame(next, now, maxRows);
      if (previous === undefined) return lines;
      const height = frame(previous, now, maxRows).length;
      return [`${UP(height)}${CLEAR_TO_END}${lines[0] ?? ''}`, ...lines.slice(1)];
    },
  };
}
