import type { RunView } from './run-view.js';

/**
 * Turns run snapshots into output lines. Pure: the same (previous, next, now) always gives the same lines,
 * so both implementations are unit-tested without a terminal or a server.
 */
export interface ProgressRenderer {
  render(previous: RunView | undefined, next: RunView, now: number): string[];
}
