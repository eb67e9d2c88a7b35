import type { NodeState } from '../../../workflows/run-state.js';
import { duration, progressText, statusCell, statusText } from '../../progress/node-text.js';
import { formatTable } from '../text-table.js';

/**
 * Per-node state of one run, incl. live progress; sweep points name the child workflow that runs them. An
 * error shows once, on the node that failed; its dependants name it in their status.
 */
export function nodeStateTable(nodes: readonly NodeState[]): string[] {
  return formatTable(
    ['node', 'stage', 'status', 'progress', 'duration', 'child', 'error'],
    nodes.map((n) => [
      n.id,
      n.stage,
      statusCell(statusText(n), n),
      n.status === 'running' ? progressText(n.progress) : '',
      n.durationMs === undefined ? '' : duration(n.durationMs),
      n.child ?? '',
      n.status === 'failed' ? (n.error ?? '') : '',
    ]),
  );
}
