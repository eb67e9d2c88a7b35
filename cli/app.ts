import { z } from 'zod';
import { formatZodError, UsageError } from '../config/errors.js';
import { type Command, EXIT, wantsHelp } from './command.js';

/**
 * Each command's module, loaded when it runs: `run` need not load what `predict`, `data` or `report` import
 * (sharp, exceljs, ...), a few hundred milliseconds at every prompt. In `--help` order.
 */
const LOADERS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  paper: async () => (await import('./commands/paper.js')).paperCommand,
  infra: async () => (await import('./commands/infra.js')).infraCommand,
  smoke: async () => (await import('./commands/smoke.js')).smokeCommand,
  worker: async () => (await import('./commands/worker.js')).workerCommand,
  data: async () => (await import('./commands/data.js')).dataCommand,
  labels: async () => (await import('./commands/labels.js')).labelsCommand,
  pipeline: async () => (await import('./commands/pipeline.js')).pipelineCommand,
  run: async () => (await import('./commands/run.js')).runCommand,
  sweep: async () => (await import('./commands/sweep.js')).sweepCommand,
  rerun: async () => (await import('./commands/rerun.js')).rerunCommand,
  suggest: async () => (await import('./commands/suggest.js')).suggestCommand,
  status: async () => (await import('./commands/status.js')).statusCommand,
  schedule: async () => (await import('./commands/schedule.js')).scheduleCommand,
  report: async () => (await import('./commands/report.js')).reportCommand,
  promote: async () => (await import('./commands/promote.js')).promoteCommand,
  predict: async () => (await import('./commands/predict.js')).predictCommand,
  export: async () => (await import('./commands/export.js')).exportCommand,
  compare: async () => (await import('./commands/compare.js')).compareCommand,
  gc: async () => (await import('./commands/gc.js')).gcCommand,
};

/** Every command, loaded (for `--help` and its tests). */
export async function loadCommands(): Promise<Command[]> {
  return await Promise.all(Object.values(LOADERS).map((load) => load()));
}

function mainUsage(commands: readonly Command[]): string {
  return [
    'Usage: shelfssl <command> [options]',
    '',
    'Label-efficient product classifiers for retail shelf images, run as a Temporal workflow DAG',
    'with content-addressed artefacts on MinIO.',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Run `shelfssl <command> --help` for details. Exit codes: 0 ok, 1 failed, 2 bad usage.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    console.log(mainUsage(await loadCommands()));
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  try {
    const load = Object.hasOwn(LOADERS, name) ? LOADERS[name] : undefined;
    if (!load) throw new UsageError(`unknown command "${name}"; run \`shelfssl --help\``);
    const command = await load();
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
