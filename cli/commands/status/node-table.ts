import type { NodeState } from '../../../workflows/run-state.js';
import { duration, progressText, statusCell, statusText } from '../../progress/node-text.js';
import { formatTable } from '../text-table.js';

/** Wider errors leave the table as a numbered note below it, so rows stay one line each. */
export const ERROR_CELL_WIDTH = 60;

/** The error cell: short errors as they are, long ones cut at the first line or the width, with a note mark. */
function errorCell(error: string, note: number): string {
  const firstLine = error.split('\n')[0] ?? '';
  if (firstLine === error && error.length <= ERROR_CELL_WIDTH) return error;
  return `${firstLine.slice(0, ERROR_CELL_WIDTH - 8).trimEnd()}… [${note}]`;
}

/**
 * Per-node state of one run, incl. live progress; sweep points name the child workflow that runs them. An
 * error shows once, on the node that failed (a long one in full in a note under the table, `--json` has it
 * too); its dependants name it in their status.
 */
export function nodeStateTable(nodes: readonly NodeState[]): string[] {
  const notes: string[] = [];
  const rows = nodes.map((n) => {
    let error = '';
    if (n.status === 'failed' && n.error) {
      error = errorCell(n.error, notes.length + 1);
      if (error !== n.error) notes.push(`[${notes.length + 1}] ${n.id}: ${n.error}`);
    }
    return [
      n.id,
      n.stage,
      statusCell(statusText(n), n),
      n.status === 'running' ? progressText(n.progress) : '',
      n.durationMs === undefined ? '' : duration(n.durationMs),
      n.child ?? '',
      error,
    ];
  });
  const table = formatTable(['node', 'stage', 'status', 'progress', 'duration', 'child', 'error'], rows);
  return notes.length > 0 ? [...table, '', ...notes] : table;
}
