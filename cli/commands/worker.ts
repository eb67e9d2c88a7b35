import { UsageError } from '../../config/errors.js';
import { loadSettings } from '../../config/settings.js';
import { sdkLogFile } from '../../workers/sdk-log-path.js';
import { type Command, EXIT, parseFlags } from '../command.js';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run a worker for the cpu (workflows + cpu stages) or gpu (gpu stages) task queue',
  usage: [
    'Usage: shelfssl worker [--queue cpu|gpu] [--role all|workflows|activities]',
    '',
    'Polls the configured Temporal for tasks on one queue until SIGINT/SIGTERM. Run several, on several',
    'hosts, to scale out: each needs the same SHELFSSL_TEMPORAL_ADDRESS and SHELFSSL_S3_* settings.',
    "--role all (default) runs workflows (cpu queue only) and the queue's stages; `workflows` or",
    '`activities` splits them, so long CPU-bound stages never delay orchestration.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, {
      queue: { type: 'string', default: 'cpu' },
      role: { type: 'string', default: 'all' },
    });
    if (values.queue !== 'cpu' && values.queue !== 'gpu') {
      throw new UsageError(`--queue: got "${values.queue}"; allowed values are cpu, gpu`);
    }
    const role = values.role;
    if (role !== 'all' && role !== 'workflows' && role !== 'activities') {
      throw new UsageError(`--role: got "${role}"; allowed values are all, workflows, activities`);
    }
    if (role === 'workflows' && values.queue === 'gpu') {
      throw new UsageError('--role workflows: workflows run on the cpu queue; use --queue cpu');
    }
    // Loaded on use: the worker pulls in every stage (TensorFlow.js, sharp); `--help` need not pay for it.
    const { createShelfWorker } = await import('../../workers/worker.js');
    const settings = loadSettings();
    const worker = await createShelfWorker(settings, values.queue, { role });
    console.log(
      `worker polling ${settings.temporal.taskQueues[values.queue]} on ${settings.temporal.address}` +
        ` (Temporal SDK log: ${sdkLogFile(settings.dataDir)})`,
    );
    await worker.run();
    return EXIT.ok;
  },
};
