import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { progressEveryMs, throttledPlainRenderer } from './plain-renderer.js';
import type { ProgressRenderer } from './renderer.js';
import { collectRunView, type RunView } from './run-view.js';
import { ttyRenderer } from './tty-renderer.js';

export interface WatchOptions {
  renderer: ProgressRenderer;
  write: (lines: string[]) => void;
  /** How often to query the run; ~1 s keeps a terminal lively without loading the server. */
  intervalMs?: number;
  now?: () => number;
  /** Called with every snapshot (e.g. to start the gpu worker when a gpu stage is due). */
  onView?: (view: RunView) => void;
}

/** Bars in a terminal, plain change lines elsewhere (CI, a log file, a pipe), at most one per node per 30 s. */
export function rendererFor(stream: { isTTY?: boolean }, rows = process.stdout.rows): ProgressRenderer {
  return stream.isTTY
    ? ttyRenderer(Math.max(5, (rows ?? 40) - 4))
    : throttledPlainRenderer(progressEveryMs());
}

/**
 * Polls the run's `runState` query (and its live sweep children) until `finished` settles, rendering each
 * snapshot; then renders the final state once more. Returns the last snapshot (undefined if none answered).
 */
export async function watchRun(
  client: Client,
  workflowId: string,
  finished: Promise<unknown>,
  opts: WatchOptions,
): Promise<RunView | undefined> {
  const now = opts.now ?? Date.now;
  let done = false;
  const settled = finished.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  let previous: RunView | undefined;
  const show = async () => {
    try {
      const next = await collectRunView(client, workflowId);
      opts.onView?.(next);
      opts.write(opts.renderer.render(previous, next, now()));
      previous = next;
    } catch {
      // The first workflow task may not have run yet, or the server blipped: try again next tick.
    }
  };
  // Aborted when the run ends: a pending tick would keep the process alive up to a second after the answer.
  const ticks = new AbortController();
  void settled.then(() => ticks.abort());
  while (!done) {
    await show();
    await sleep(opts.intervalMs ?? 1000, undefined, { signal: ticks.signal }).catch(() => undefined);
  }
  await show();
  return previous;
}
