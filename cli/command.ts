import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../config/errors.js';

/** A CLI command: its help text is the source of truth for `--help` and the README's CLI reference. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Present on groups (`infra`, `schedule`, ...), which handle `--help` per sub-command themselves. */
  subcommands?: Command[];
  run(argv: string[]): Promise<number>;
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs with strict flags; unknown flags become a UsageError that names the flag. */
export function parseFlags<O extends Options>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function wantsHelp(argv: string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** Dispatches `<group> <sub> ...` to sub-commands, with help at each level. */
export function commandGroup(name: string, summary: string, subs: Command[]): Command {
  const usage = [
    `Usage: shelfssl ${name} <command> [options]`,
    '',
    summary,
    '',
    'Commands:',
    ...subs.map((s) => `  ${s.name.padEnd(12)} ${s.summary}`),
    '',
    `Run \`shelfssl ${name} <command> --help\` for a command's options.`,
  ].join('\n');
  return {
    name,
    summary,
    usage,
    subcommands: subs,
    async run(argv) {
      const [subName, ...rest] = argv;
      if (subName === undefined || subName === '--help' || subName === '-h') {
        console.log(usage);
        return subName === undefined ? EXIT.usage : EXIT.ok;
      }
      const sub = subs.find((s) => s.name === subName);
      if (!sub)
        throw new UsageError(
          `unknown command "${name} ${subName}"; expected one of: ${subs.map((s) => s.name).join(', ')}`,
        );
      if (wantsHelp(rest)) {
        console.log(sub.usage);
        return EXIT.ok;
      }
      return await sub.run(rest);
    },
  };
}
