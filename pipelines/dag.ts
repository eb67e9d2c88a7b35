import { z } from 'zod';
import { GcConfigSchema } from './gc-config.js';
import { NotifySchema } from './notify.js';

/** Temporal duration strings ('30 seconds', '2 hours') as accepted by the SDK. */
const Duration = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)$/);

export const RetrySchema = z.strictObject({
  maximumAttempts: z.number().int().min(1).max(100),
  initialInterval: Duration,
  backoffCoefficient: z.number().min(1),
  maximumInterval: Duration,
});

/**
 * One concrete node of a run: a stage applied to params and to the outputs of upstream nodes.
 * A pipeline definition expands into these; the executor workflow runs them.
 */
export const DagNodeSchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9@/_.%=-]+$/, 'node ids use letters, digits and @/_.%=-'),
  stage: z.string().min(1),
  codeVersion: z.number().int().min(1),
  params: z.record(z.string(), z.unknown()),
  inputs: z.record(z.string(), z.string()),
  queue: z.enum(['cpu', 'gpu']),
  startToCloseTimeout: Duration,
  heartbeatTimeout: Duration.optional(),
  retry: RetrySchema,
  /** Nodes sharing a group run together in one child workflow (a sweep point), e.g. `10pct/seed1`. */
  group: z.string().optional(),
  /** Recomputed on every run (a dataset fingerprint, a per-run report); content digests keep downstream cached. */
  volatile: z.boolean().optional(),
  /**
   * Input names the node still runs without when their upstream failed (a report shows what succeeded and
   * lists what is missing); the stage is told which inputs are missing and why.
   */
  optionalInputs: z.array(z.string()).optional(),
});
export type DagNode = z.infer<typeof DagNodeSchema>;

export const DagPlanSchema = z.strictObject({
  pipeline: z.string().min(1),
  nodes: z.array(DagNodeSchema).min(1),
  /** Run alerts (run config `notify`); a re-run or a schedule's runs alert where the plan says. */
  notify: NotifySchema.optional(),
  /** Garbage collection after the run (run config `gc`). */
  gc: GcConfigSchema.optional(),
});
export type DagPlan = z.infer<typeof DagPlanSchema>;

export class DagError extends Error {
  override name = 'DagError';
}

/** Checks ids are unique, every input names an existing node, and the graph is acyclic; returns a topological order. */
export function validateDag(nodes: readonly DagNode[], external: ReadonlySet<string> = new Set()): string[] {
  const byId = new Map<string, DagNode>();
  for (const n of nodes) {
    if (byId.has(n.id)) throw new DagError(`node "${n.id}" is defined twice`);
    byId.set(n.id, n);
  }
  for (const n of nodes) {
    for (const [name, dep] of Object.entries(n.inputs)) {
      if (!byId.has(dep) && !external.has(dep))
        throw new DagError(`node "${n.id}" input "${name}" names "${dep}", which no node produces`);
    }
    for (const name of n.optionalInputs ?? [])
      if (!(name in n.inputs))
        throw new DagError(`node "${n.id}" optional input "${name}" is not one of its inputs`);
  }
  return topologicalOrder(nodes);
}

function topologicalOrder(nodes: readonly DagNode[]): string[] {
  const state = new Map<string, 'visiting' | 'done'>();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const order: string[] = [];
  const visit = (id: string, trail: string[]) => {
    const s = state.get(id);
    if (s === 'done') return;
    if (s === 'visiting') throw new DagError(`cycle: ${[...trail, id].join(' -> ')}`);
    state.set(id, 'visiting');
    for (const dep of Object.values(byId.get(id)?.inputs ?? {}))
      if (byId.has(dep)) visit(dep, [...trail, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const n of nodes) visit(n.id, []);
  return order;
}

/** The node ids a node cannot run without: every input not listed in `optionalInputs`. */
export function requiredInputIds(node: DagNode): string[] {
  const optional = new Set(node.optionalInputs ?? []);
  return Object.entries(node.inputs)
    .filter(([name]) => !optional.has(name))
    .map(([, id]) => id);
}

/** The given nodes plus everything downstream of them: what a re-run of those stages must recompute. */
export function withDescendants(nodes: readonly DagNode[], roots: ReadonlySet<string>): Set<string> {
  const out = new Set(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (!out.has(n.id) && Object.values(n.inputs).some((d) => out.has(d))) {
        out.add(n.id);
        grew = true;
      }
    }
  }
  return out;
}

/** Node ids whose stage is one of `stages` (a re-run names stages; a sweep has many nodes per stage). */
export function nodesOfStages(nodes: readonly DagNode[], stages: readonly string[]): Set<string> {
  return new Set(nodes.filter((n) => stages.includes(n.stage)).map((n) => n.id));
}
