import { UsageError } from '../../config/errors.js';
import { loadSettings } from '../../config/settings.js';
import { createShelfWorker } from '../../workers/worker.js';
import { type Command, EXIT, parseFlags } from '../command.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run a worker for the cpu (workflows + cpu stages) or gpu (gpu stages) task queue',
  usage: [
    'Usage: shelfssl worker [--queue cpu|gpu]',
    '',
    'Polls the configured Temporal for tasks on one queue until SIGINT/SIGTERM. Run several, on several',
    'hosts, to scale out: each needs the same SHELFSSL_TEMPORAL_ADDRESS and SHELFSSL_S3_* settings.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, { queue: { type: 'string', default: 'cpu' } });
    if (values.queue !== 'cpu' && values.queue !== 'gpu') {
      throw new UsageError(`--queue: got "${values.queue}"; allowed values are cpu, gpu`);
    }
    const settings = loadSettings();
    const worker = await createShelfWorker(settings, values.queue);
    console.log(
      `worker polling ${settings.temporal.taskQueues[values.queue]} on ${settings.temporal.address}`,
    );
    await worker.run();
    return EXIT.ok;
  },
};
