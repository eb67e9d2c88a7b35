import type { NodeState } from '../../../workflows/run-state.js';

export interface StageTime {
  stage: string;
  nodes: number;
  /** From the first node's start to the last node's end (nodes of a stage run side by side). */
  wallMs: number;
  /** Sum of the nodes' own durations. */
  sumMs: number;
}

/** Wall time per stage of a finished run, in the order the stages first started; cached nodes count 0. */
export function stageTimes(nodes: readonly NodeState[]): StageTime[] {
  const by = new Map<string, { nodes: number; start: number; end: number; sumMs: number }>();
  for (const n of nodes) {
    if (n.startedAt === undefined || n.durationMs === undefined || n.cacheHit) continue;
    const t = by.get(n.stage) ?? { nodes: 0, start: Number.POSITIVE_INFINITY, end: 0, sumMs: 0 };
    t.nodes++;
    t.start = Math.min(t.start, n.startedAt);
    t.end = Math.max(t.end, n.startedAt + n.durationMs);
    t.sumMs += n.durationMs;
    by.set(n.stage, t);
  }
  return [...by.entries()]
    .sort((a, b) => a[1].start - b[1].start)
    .map(([stage, t]) => ({ stage, nodes: t.nodes, wallMs: t.end - t.start, sumMs: t.sumMs }));
}

const seconds = (ms: number) =>
  ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;

/** `pretrain  2 nodes  wall 12 min 3 s  (sum 20 min 1 s)` per stage. */
export function formatStageTimes(times: readonly StageTime[]): string[] {
  const width = Math.max(...times.map((t) => t.stage.length), 5);
  return times.map(
    (t) =>
      `${t.stage.padEnd(width)}  ${String(t.nodes).padStart(3)} node(s)  wall ${seconds(t.wallMs)}  (sum ${seconds(t.sumMs)})`,
  );
}
