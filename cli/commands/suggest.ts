import { z } from 'zod';
import { UsageError } from '../../config/errors.js';
import { STRATEGIES } from '../../ml/active/select.js';
import { withSuggestNode } from '../../pipelines/suggest-plan.js';
import { type Command, parseFlags } from '../command.js';
import { runWorkflowId, startPipelineRun } from '../runs.js';
import { intFlag, parseFlagValues } from './flags.js';
import { executeRun } from './run/execute.js';
import { originalRunInput } from './run/rerun-pipeline.js';
import { resolveRunName } from './suggest/resolve-run.js';
import { saveSuggestions } from './suggest/save-suggestions.js';

const FlagsSchema = z.object({
  n: intFlag(1, 100_000, '200').default(200),
  out: z.string({ message: 'the folder for to-label.csv and contact-sheet.png, e.g. --out to-label' }).min(1),
  strategy: z.enum(STRATEGIES, { message: `one of ${STRATEGIES.join(', ')}` }).default('margin'),
  head: z.string().min(1).optional(),
  seed: intFlag(-2_147_483_648, 2_147_483_647, '1').default(1),
});

export const suggestCommand: Command = {
  name: 'suggest',
  summary: 'suggest which unlabelled crops to label next (to-label.csv + contact sheet)',
  usage: [
    'Usage: shelfssl suggest <runId> --out DIR [--n 200] [--strategy margin|entropy|diverse|random]',
    '                        [--head NODE] [--seed 1] [--no-worker]',
    '',
    "Runs the run's plan again with a `suggest` node (everything else is a cache hit) and writes to DIR:",
    "to-label.csv (the label CSV's columns with class blank, plus suggested_class, confidence, box_id),",
    'contact-sheet.png (the crops with their box ids) and suggestions.json; the report gets a To label sheet.',
    'margin/entropy rank unlabelled crops by the head’s uncertainty and keep them diverse (k-center greedy',
    'on the cached features); diverse uses k-center alone; random is the baseline. --head picks the head node',
    '(default: the one trained on the most labels, SwAV, supervised, seed 1). Crops of the held-out test',
    'region are never suggested. Fill in the class column, then `shelfssl labels merge --from FILE`.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      {
        n: { type: 'string' },
        out: { type: 'string' },
        strategy: { type: 'string' },
        head: { type: 'string' },
        seed: { type: 'string' },
        'no-worker': { type: 'boolean' },
      },
      true,
    );
    const [name, ...extra] = positionals;
    if (name === undefined) throw new UsageError('suggest: give the workflow id of a finished run');
    if (extra.length > 0) throw new UsageError(`suggest: one run expected, got also: ${extra.join(' ')}`);
    const flags = parseFlagValues(FlagsSchema, values);
    return await executeRun(
      async (client, settings) => {
        const input = await originalRunInput(client, await resolveRunName(name));
        let plan: ReturnType<typeof withSuggestNode>;
        try {
          const { out: _out, ...request } = flags;
          plan = withSuggestNode(input.plan, request);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
        return await startPipelineRun(client, settings, plan, {
          scheduled: input.scheduled,
          maxParallelGroups: input.options.maxParallelGroups,
          workflowId: `${runWorkflowId(plan)}-suggest`,
        });
      },
      {
        detach: false,
        localWorkers: !values['no-worker'],
        afterSuccess: async (_client, settings, outcome) => {
          for (const file of await saveSuggestions(settings, outcome.result, flags.out)) console.log(file);
        },
      },
    );
  },
};
