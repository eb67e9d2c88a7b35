import type { NodeState } from '../../../workflows/run-state.js';
import { duration, statusCell } from '../../progress/node-text.js';
import { formatTable } from '../text-table.js';

/**
 * The end-of-run table: one row per node with its stage, status, cache hit and duration. A skipped node
 * names the failed node it waited on; the error itself is on the final `run failed:` line, once.
 */
export function runSummaryTable(nodes: readonly NodeState[]): string[] {
  return formatTable(
    ['node', 'stage', 'status', 'cache', 'duration'],
    nodes.map((n) => [
      n.id,
      n.stage,
      statusCell(n.status, n),
      n.cacheHit === undefined ? '-' : n.cacheHit ? 'hit' : 'miss',
      n.durationMs === undefined ? '-' : duration(n.durationMs),
    ]),
  );
}
