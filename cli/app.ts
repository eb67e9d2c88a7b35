import { z } from 'zod';
import { formatZodError, UsageError } from '../config/errors.js';
import { type Command, EXIT, wantsHelp } from './command.js';
import { compareCommand } from './commands/compare.js';
import { dataCommand } from './commands/data.js';
import { demoCommand } from './commands/demo.js';
import { exportCommand } from './commands/export.js';
import { gcCommand } from './commands/gc.js';
import { infraCommand } from './commands/infra.js';
import { labelsCommand } from './commands/labels.js';
import { paperCommand } from './commands/paper.js';
import { pipelineCommand } from './commands/pipeline.js';
import { predictCommand } from './commands/predict.js';
import { promoteCommand } from './commands/promote.js';
import { reportCommand } from './commands/report.js';
import { rerunCommand } from './commands/rerun.js';
import { runCommand } from './commands/run.js';
import { scheduleCommand } from './commands/schedule.js';
import { smokeCommand } from './commands/smoke.js';
import { statusCommand } from './commands/status.js';
import { suggestCommand } from './commands/suggest.js';
import { sweepCommand } from './commands/sweep.js';
import { workerCommand } from './commands/worker.js';

export const COMMANDS: Command[] = [
  demoCommand,
  paperCommand,
  infraCommand,
  smokeCommand,
  workerCommand,
  dataCommand,
  labelsCommand,
  pipelineCommand,
  runCommand,
  sweepCommand,
  rerunCommand,
  suggestCommand,
  statusCommand,
  scheduleCommand,
  reportCommand,
  promoteCommand,
  predictCommand,
  exportCommand,
  compareCommand,
  gcCommand,
];

export const MAIN_USAGE = [
  'Usage: shelfssl <command> [options]',
  '',
  'Label-efficient product classifiers for retail shelf images, run as a Temporal workflow DAG',
  'with content-addressed artefacts on MinIO.',
  '',
  'Commands:',
  ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
  '',
  'Run `shelfssl <command> --help` for details. Exit codes: 0 ok, 1 failed, 2 bad usage.',
].join('\n');

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(MAIN_USAGE);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  try {
    if (!command) throw new UsageError(`unknown command "${name}"; run \`shelfssl --help\``);
    if (!command.subcommands && wantsHelp(rest)) {
      console.log(command.usage);
      return EXIT.ok;
    }
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`shelfssl: ${err.message}`);
      return EXIT.usage;
    }
    // A schema parse that escaped its own formatting still reads as field: problem, never raw issue JSON.
    if (err instanceof z.ZodError) {
      console.error(`shelfssl ${name}: ${formatZodError(err, 'a value')}`);
      return EXIT.failed;
    }
    console.error(`shelfssl ${name}: ${(err as Error).message}`);
    return EXIT.failed;
  }
}
