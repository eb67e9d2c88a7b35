import { configReference, mergeCases, referenceTable } from '../../config/config-reference.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { validateDag } from '../../pipelines/dag.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { PAPER_STAGES } from '../../pipelines/stages.js';
import { type Command, commandGroup, EXIT, parseFlags } from '../command.js';
import { loadRunConfig } from '../config-file.js';
import { configHash } from '../runs.js';

/**
 * The plan as text: a stage legend from the stage declarations, then every node in topological order; with
 * `params`, each node's resolved params (defaults and `auto` as the stage receives them).
 */
export function describePlan(plan: DagPlan, opts: { params?: boolean } = {}): string[] {
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
    if (opts.params) lines.push(`      params ${JSON.stringify(n.params)}`);
  }
  return lines;
}

const show: Command = {
  name: 'show',
  summary: 'print the DAG of a run config: stages, nodes in topological order, inputs, queues, groups',
  usage: [
    'Usage: shelfssl pipeline show [--config FILE] [--dataset DIR] [--params]',
    '',
    'Expands the run config (default: dataset.location = .shelfssl/shelves) and prints what a run would execute:',
    'the stages with their descriptions and queues, then each node with its inputs and sweep group.',
    "--params also prints every node's resolved params (defaults filled in), as its stage receives them.",
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, {
      config: { type: 'string' },
      dataset: { type: 'string' },
      params: { type: 'boolean' },
    });
    const config = loadRunConfig(values.config, { ...(values.dataset ? { dataset: values.dataset } : {}) });
    for (const line of describePlan(expandPaperPipeline(config), { params: values.params ?? false }))
      console.log(line);
    return EXIT.ok;
  },
};

/** README's run-config reference: generated from the schema, checked by a test against README.md. */
export function runConfigKeysTable(): string[] {
  return referenceTable(mergeCases(configReference(RunConfigSchema)));
}

const keys: Command = {
  name: 'keys',
  summary: 'print every run-config key with its type and default (generated from the schema)',
  usage: [
    'Usage: shelfssl pipeline keys',
    '',
    'Prints, as a markdown table, every key a run config accepts (down to backbone arch and SwAV settings),',
    'when it applies (e.g. `kind: "swav"`), its type and its default. README.md embeds this table.',
  ].join('\n'),
  async run(argv) {
    parseFlags(argv, {});
    for (const line of runConfigKeysTable()) console.log(line);
    return EXIT.ok;
  },
};

export const pipelineCommand = commandGroup('pipeline', 'inspect the pipeline a run config expands to', [
  show,
  keys,
]);
