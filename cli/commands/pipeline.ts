import type { DagPlan } from '../../pipelines/dag.js';
import { validateDag } from '../../pipelines/dag.js';
import { expandPaperPipeline } from '../../pipelines/paper.js';
import { PAPER_STAGES } from '../../pipelines/stages.js';
import { type Command, commandGroup, EXIT, parseFlags } from '../command.js';
import { loadRunConfig } from '../config-file.js';
import { configHash } from '../runs.js';

/** The plan as text: a stage legend from the stage declarations, then every node in topological order. */
export function describePlan(plan: DagPlan): string[] {
  const used = new Set(plan.nodes.map((n) => n.stage));
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const lines = [
    `pipeline ${plan.pipeline}: ${plan.nodes.length} nodes, config hash ${configHash(plan)}`,
    '',
    'stages:',
    ...PAPER_STAGES.filter((s) => used.has(s.name)).map(
      (s) => `  ${s.name.padEnd(9)} [${s.queue}] ${s.description}`,
    ),
    '',
    'nodes (topological order):',
  ];
  for (const id of validateDag(plan.nodes)) {
    const n = byId.get(id);
    if (!n) continue;
    const where = [`stage ${n.stage}`, `queue ${n.queue}`, ...(n.group ? [`group ${n.group}`] : [])];
    if (n.volatile) where.push('volatile');
    lines.push(`  ${n.id}  (${where.join(', ')})`);
    for (const [name, dep] of Object.entries(n.inputs)) lines.push(`      ${name} <- ${dep}`);
  }
  return lines;
}

const show: Command = {
  name: 'show',
  summary: 'print the DAG of a run config: stages, nodes in topological order, inputs, queues, groups',
  usage: [
    'Usage: shelfssl pipeline show [--config FILE] [--dataset DIR]',
    '',
    'Expands the run config (default: dataset.location = .shelfssl/shelves) and prints what a run would execute:',
    'the stages with their descriptions and queues, then each node with its inputs and sweep group.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, { config: { type: 'string' }, dataset: { type: 'string' } });
    const config = loadRunConfig(values.config, { ...(values.dataset ? { dataset: values.dataset } : {}) });
    for (const line of describePlan(expandPaperPipeline(config))) console.log(line);
    return EXIT.ok;
  },
};

export const pipelineCommand = commandGroup('pipeline', 'inspect the pipeline a run config expands to', [
  show,
]);
