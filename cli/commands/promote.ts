import { z } from 'zod';
import { UsageError } from '../../config/errors.js';
import { loadSettings } from '../../config/settings.js';
import { ALIAS_NAME, setAlias } from '../../store/aliases.js';
import { bucketOf } from '../../store/artefacts.js';
import { connectClient } from '../client.js';
import { type Command, EXIT, parseFlags } from '../command.js';
import { modelText } from '../model/model-text.js';
import { resolveModel } from '../model/resolve-model.js';
import { parseFlagValues } from './flags.js';

const PromoteFlags = z.object({
  alias: z
    .string()
    .regex(ALIAS_NAME, 'lowercase letters, digits, _ and -, starting with a letter, e.g. production')
    .default('production'),
  config: z
    .string()
    .regex(
      /^[a-z0-9-]+\/[a-z-]+\/[\d.]+(pct)?(\/\d+)?$/,
      'backbone/head/fraction[/seed], e.g. swav/supervised/10',
    )
    .optional(),
  note: z.string().default('promoted by hand'),
});

export const promoteCommand: Command = {
  name: 'promote',
  summary: "point an alias (default production) at a run's model; kept with its history in the store",
  usage: [
    'Usage: shelfssl promote <runId> [--config backbone/head/fraction[/seed]] [--alias NAME] [--note TEXT]',
    '',
    'Sets the alias to one trained configuration of a finished run: --config names it (e.g. swav/supervised/10;',
    'without a seed, the seed with the best test accuracy), else the configuration with the best mean test',
    'accuracy over seeds. The alias (default production) is stored in the object store (aliases/<name>.json)',
    'with every earlier value, newest first; `predict --model <alias>` and `export <alias>` use it.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { config: { type: 'string' }, alias: { type: 'string' }, note: { type: 'string' } },
      true,
    );
    const [runId, ...extra] = positionals;
    if (runId === undefined || runId.includes('/'))
      throw new UsageError('promote: give the workflow id of a finished run (see `shelfssl status`)');
    if (extra.length > 0) throw new UsageError(`promote: one run id expected, got also: ${extra.join(' ')}`);
    const flags = parseFlagValues(PromoteFlags, values);
    const settings = loadSettings();
    const bucket = bucketOf(settings);
    const { client, close } = await connectClient(settings);
    try {
      const { alias: _ignored, ...model } = await resolveModel(
        client,
        bucket,
        flags.config ? `${runId}/${flags.config}` : runId,
      );
      const file = await setAlias(bucket, flags.alias, {
        model,
        setAt: new Date().toISOString(),
        note: flags.note,
      });
      console.log(`${flags.alias} -> ${modelText(model)}`);
      const previous = file.history[0];
      console.log(
        previous ? `was   ${modelText(previous.model)} (since ${previous.setAt})` : 'was   (unset)',
      );
      return EXIT.ok;
    } finally {
      await close();
    }
  },
};
