import type { RunView } from '../../progress/run-view.js';

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/**
 * `status --json` speaks one timestamp format, ISO 8601 UTC as the run list does: the run view's epoch
 * milliseconds (run start/end, node start, progress time) become ISO strings; durations stay milliseconds.
 */
export function withIsoTimes(view: RunView) {
  return {
    ...view,
    startedAt: iso(view.startedAt),
    ...(view.finishedAt !== undefined ? { finishedAt: iso(view.finishedAt) } : {}),
    nodes: view.nodes.map((n) => ({
      ...n,
      ...(n.startedAt !== undefined ? { startedAt: iso(n.startedAt) } : {}),
      ...(n.progress?.at !== undefined ? { progress: { ...n.progress, at: iso(n.progress.at) } } : {}),
    })),
  };
}
