import { ensureLocalCredentials, loadSettings } from '../../config/settings.js';
import { installAll } from '../../infra/install.js';
import { localUp } from '../../infra/local.js';
import { type Command, parseFlags } from '../command.js';
import { smokeCommand } from './smoke.js';

const log = (l: string) => console.log(l);

export const demoCommand: Command = {
  name: 'demo',
  summary: 'install and start the local servers, then run the main job end to end on the local default',
  usage: [
    'Usage: shelfssl demo',
    '',
    'Builds the pinned servers if needed, starts them (`infra up`) and runs the smoke workflow.',
  ].join('\n'),
  async run(argv) {
    parseFlags(argv, {});
    await installAll(log);
    ensureLocalCredentials();
    await localUp(loadSettings(), log);
    return await smokeCommand.run([]);
  },
};
