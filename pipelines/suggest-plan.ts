import { z } from 'zod';
import type { DagNode, DagPlan } from './dag.js';
import { validateDag } from './dag.js';
import { stageNode } from './stage.js';
import { headStage, reportStage, suggestStage } from './stages.js';

export const SUGGEST_NODE = 'suggest';

export const SuggestRequestSchema = suggestStage.params.omit({ head: true }).extend({
  /** A head node id of the run (`head@swav/supervised/100pct/seed1`); default: `defaultSuggestHead`. */
  head: z.string().min(1).optional(),
});
export type SuggestRequest = z.input<typeof SuggestRequestSchema>;

/**
 * The head whose uncertainty ranks the crops when none is named: the one trained on the most labels (what
 * the next run will start from), preferring a SwAV-pretrained backbone, the supervised mode, then seed 1.
 */
export function defaultSuggestHead(plan: DagPlan): DagNode | undefined {
  const heads = plan.nodes.filter((n) => n.stage === headStage.name);
  const rank = (n: DagNode) => {
    const p = headStage.params.parse(n.params);
    const pretrained = plan.nodes
      .find((x) => x.id === n.inputs['features'])
      ?.inputs['backbone']?.includes('swav');
    return [p.fraction, pretrained ? 1 : 0, p.mode === 'supervised' ? 1 : 0, -p.seed];
  };
  return heads.sort((a, b) => {
    const [ra, rb] = [rank(a), rank(b)];
    for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return Number(rb[i]) - Number(ra[i]);
    return a.id.localeCompare(b.id);
  })[0];
}

/**
 * The run's plan plus a `suggest` node fed by the chosen head, its features, the labels and the crops; the
 * report reads it as an optional input (its To label sheet). Everything the run had is a cache hit when
 * started again, so only `suggest` (and the per-run snapshot and report) compute. A previous suggest node is
 * replaced.
 */
export function withSuggestNode(plan: DagPlan, request: SuggestRequest): DagPlan {
  const { head: headId, ...settings } = SuggestRequestSchema.parse(request);
  const nodes = plan.nodes.filter((n) => n.id !== SUGGEST_NODE);
  const head = headId ? nodes.find((n) => n.id === headId) : defaultSuggestHead({ ...plan, nodes });
  if (!head || head.stage !== headStage.name) {
    const heads = nodes.filter((n) => n.stage === headStage.name).map((n) => n.id);
    throw new Error(
      `suggest: ${headId ? `"${headId}" is not a head node of the run` : 'the run has no head node'}; ` +
        `choose one of: ${heads.slice(0, 8).join(', ')}${heads.length > 8 ? ', ...' : ''}`,
    );
  }
  const features = head.inputs['features']!;
  const crops = nodes.find((n) => n.id === features)?.inputs['crops'];
  const ingest = head.inputs['ingest'];
  if (!crops || !ingest)
    throw new Error(`suggest: head ${head.id} is not wired to crops and labels (an older plan?)`);
  const suggest = stageNode(
    suggestStage,
    SUGGEST_NODE,
    { ...settings, head: head.id },
    { head: head.id, features, ingest, crops },
  );
  const out = nodes.map((n) => {
    if (n.stage !== reportStage.name) return n;
    const inputs = Object.fromEntries(Object.entries(n.inputs).filter(([k]) => !k.startsWith('suggest/')));
    const optional = (n.optionalInputs ?? []).filter((k) => !k.startsWith('suggest/'));
    return {
      ...n,
      inputs: { ...inputs, [`suggest/${SUGGEST_NODE}`]: SUGGEST_NODE },
      optionalInputs: [...optional, `suggest/${SUGGEST_NODE}`],
    };
  });
  out.push(suggest);
  validateDag(out);
  return { ...plan, nodes: out };
}
