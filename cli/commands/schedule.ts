import { type Client, type DayOfWeek, ScheduleNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { UsageError } from '../../config/errors.js';
import { loadSettings } from '../../config/settings.js';
import { expandPaperPipeline } from '../../pipelines/paper.js';
import { connectClient } from '../client.js';
import { type Command, commandGroup, EXIT, parseFlags } from '../command.js';
import { loadRunConfig } from '../config-file.js';
import { idleQueueLines, runQueueNeeds } from '../queue-pollers.js';
import { intFlag, parseFlagValues } from './flags.js';
import { BackfillFlags, backfillSchedule } from './schedule/backfill.js';
import { createPipelineSchedule, DEFAULT_WEEKLY } from './schedule/create-schedule.js';
import { describeSchedule, listSchedules } from './schedule/schedule-text.js';
import { formatTable } from './text-table.js';

const DAYS = {
  mon: 'MONDAY',
  tue: 'TUESDAY',
  wed: 'WEDNESDAY',
  thu: 'THURSDAY',
  fri: 'FRIDAY',
  sat: 'SATURDAY',
  sun: 'SUNDAY',
} as const satisfies Record<string, DayOfWeek>;

const CreateFlags = z.object({
  id: z
    .string({ error: 'required: a schedule id, e.g. weekly-report' })
    .regex(/^[A-Za-z0-9._-]+$/, 'letters, digits and ._-'),
  config: z.string({ error: 'required: the run config the schedule runs' }).min(1),
  day: z
    .enum(
      Object.keys(DAYS) as [keyof typeof DAYS, ...(keyof typeof DAYS)[]],
      'one of mon, tue, wed, thu, fri, sat, sun',
    )
    .default('mon'),
  hour: intFlag(0, 23, '6').default(DEFAULT_WEEKLY.hour),
});

/** The schedule id of `<sub> ID`: exactly one positional. */
function scheduleIdOf(sub: string, positionals: string[]): string {
  const [id, ...extra] = positionals;
  if (id === undefined)
    throw new UsageError(`schedule ${sub}: give the schedule id (see \`shelfssl schedule list\`)`);
  if (extra.length > 0)
    throw new UsageError(`schedule ${sub}: one schedule id expected, got also: ${extra.join(' ')}`);
  return id;
}

/** Connects, runs `body` with the client, closes; the shared frame of every schedule sub-command. */
async function withClient(body: (c: Awaited<ReturnType<typeof connectClient>>['client']) => Promise<void>) {
  const settings = loadSettings();
  const { client, close } = await connectClient(settings);
  try {
    await body(client);
    return EXIT.ok;
  } finally {
    await close();
  }
}

/**
 * Runs `body` on schedule `id`; a schedule that does not exist (or was deleted) is said so, not with the
 * server's "workflow execution already completed".
 */
function onSchedule(id: string, body: (client: Client) => Promise<void>) {
  return withClient(async (client) => {
    try {
      await body(client);
    } catch (err) {
      const msg = (err as Error).message;
      if (err instanceof ScheduleNotFoundError || /already completed|not found/i.test(msg))
        throw new Error(`schedule "${id}" does not exist (deleted already?); see \`shelfssl schedule list\``);
      throw err;
    }
  });
}

/** Temporal's SDK stores "Paused via TypeScript SDK" without a note; say who did it and when instead. */
export function defaultScheduleNote(action: 'pause' | 'unpause', now = new Date()): string {
  return `${action}d with \`shelfssl schedule ${action}\` at ${now.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

const create: Command = {
  name: 'create',
  summary: 'create a weekly schedule that runs a config (default Monday 06:00 UTC)',
  usage: [
    'Usage: shelfssl schedule create --id ID --config FILE [--dataset DIR] [--weekly] [--day mon..sun] [--hour 0-23]',
    '                                [--note TEXT]',
    '',
    'A Temporal Schedule that starts the pipeline for the config weekly (the only cadence; --weekly says so',
    'explicitly) on --day at --hour:00 UTC. A run still going when the next is due is skipped; a run missed by',
    'an outage of up to 1 day is caught up. Scheduled runs label the report with their ISO week.',
    'Needs workers running (`shelfssl worker --queue cpu` and `--queue gpu`).',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, {
      id: { type: 'string' },
      config: { type: 'string' },
      dataset: { type: 'string' },
      weekly: { type: 'boolean' },
      day: { type: 'string' },
      hour: { type: 'string' },
      note: { type: 'string' },
    });
    const flags = parseFlagValues(CreateFlags, {
      id: values.id,
      config: values.config,
      day: values.day,
      hour: values.hour,
    });
    const plan = expandPaperPipeline(
      loadRunConfig(flags.config, { ...(values.dataset ? { dataset: values.dataset } : {}) }),
    );
    const settings = loadSettings();
    const { client, close } = await connectClient(settings);
    try {
      const weekly = { dayOfWeek: DAYS[flags.day], hour: flags.hour };
      await createPipelineSchedule(client, settings, {
        id: flags.id,
        plan,
        weekly,
        ...(values.note ? { note: values.note } : {}),
      });
      console.log(
        `schedule ${flags.id}: ${plan.pipeline} every ${weekly.dayOfWeek} ${String(weekly.hour).padStart(2, '0')}:00 UTC`,
      );
      return EXIT.ok;
    } finally {
      await close();
    }
  },
};

const list: Command = {
  name: 'list',
  summary: 'list schedules with their state and next run',
  usage:
    'Usage: shelfssl schedule list [--json]\n\nEvery schedule in the namespace: id, paused or active, next run time.',
  async run(argv) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' } });
    return await withClient(async (client) => {
      const rows = await listSchedules(client);
      if (values.json) console.log(JSON.stringify(rows, null, 2));
      else if (rows.length === 0) console.log('no schedules: create one with `shelfssl schedule create`');
      else
        for (const l of formatTable(
          ['schedule', 'state', 'next run', 'note'],
          rows.map((r) => [r.id, r.paused ? 'paused' : 'active', r.nextRun ?? '-', r.note ?? '']),
        ))
          console.log(l);
    });
  },
};

const describe: Command = {
  name: 'describe',
  summary: 'show a schedule: spec, state, next action times, recent actions',
  usage:
    'Usage: shelfssl schedule describe ID\n\nThe calendar, paused state and note, the next run times and the runs it started recently.',
  async run(argv) {
    const { positionals } = parseFlags(argv, {}, true);
    const id = scheduleIdOf('describe', positionals);
    return await onSchedule(id, async (client) => {
      for (const l of describeSchedule(await client.schedule.getHandle(id).describe())) console.log(l);
    });
  },
};

function pauseCommand(name: 'pause' | 'unpause'): Command {
  return {
    name,
    summary: name === 'pause' ? 'pause a schedule (no runs until unpaused)' : 'resume a paused schedule',
    usage: `Usage: shelfssl schedule ${name} ID [--note TEXT]\n\n${name === 'pause' ? 'Stops' : 'Resumes'} the schedule's runs; --note records why (shown by describe and list).`,
    async run(argv) {
      const { values, positionals } = parseFlags(argv, { note: { type: 'string' } }, true);
      const id = scheduleIdOf(name, positionals);
      return await onSchedule(id, async (client) => {
        const handle = client.schedule.getHandle(id);
        const note = values.note ?? defaultScheduleNote(name);
        await (name === 'pause' ? handle.pause(note) : handle.unpause(note));
        console.log(`schedule ${id} ${name}d`);
      });
    },
  };
}

const trigger: Command = {
  name: 'trigger',
  summary: 'start a scheduled run now',
  usage:
    "Usage: shelfssl schedule trigger ID\n\nStarts the schedule's action now (skipped if its previous run is still going).",
  async run(argv) {
    const { positionals } = parseFlags(argv, {}, true);
    const id = scheduleIdOf('trigger', positionals);
    return await onSchedule(id, async (client) => {
      await client.schedule.getHandle(id).trigger();
      console.log(
        `schedule ${id} triggered; see \`shelfssl schedule describe ${id}\` for the run it started`,
      );
      const queues = loadSettings().temporal.taskQueues;
      for (const line of await idleQueueLines(client, runQueueNeeds(queues))) console.log(line);
    });
  },
};

const backfill: Command = {
  name: 'backfill',
  summary: 'start the runs a schedule would have started between two dates (e.g. while paused)',
  usage: [
    'Usage: shelfssl schedule backfill ID --from DATE --to DATE',
    '',
    'Temporal starts a run for every scheduled time in [--from, --to] (dates are UTC days, --to inclusive;',
    'or ISO 8601 times with a zone), one after another, also for a paused schedule. Each run and its report',
    'are labelled with the ISO week of its scheduled time, not the day it ran.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(
      argv,
      { from: { type: 'string' }, to: { type: 'string' } },
      true,
    );
    const id = scheduleIdOf('backfill', positionals);
    const range = parseFlagValues(BackfillFlags, { from: values.from, to: values.to });
    return await onSchedule(id, async (client) => {
      await backfillSchedule(client, id, range);
      console.log(
        `schedule ${id}: backfill ${range.from.toISOString()} .. ${range.to.toISOString()} requested; ` +
          `its runs start one after another (\`shelfssl schedule describe ${id}\`)`,
      );
      const queues = loadSettings().temporal.taskQueues;
      for (const line of await idleQueueLines(client, runQueueNeeds(queues))) console.log(line);
    });
  },
};

const remove: Command = {
  name: 'delete',
  summary: 'delete a schedule (runs it started are kept)',
  usage:
    'Usage: shelfssl schedule delete ID\n\nDeletes the schedule; workflows it already started keep running and stay listed.',
  async run(argv) {
    const { positionals } = parseFlags(argv, {}, true);
    const id = scheduleIdOf('delete', positionals);
    return await onSchedule(id, async (client) => {
      await client.schedule.getHandle(id).delete();
      console.log(`schedule ${id} deleted`);
    });
  },
};

export const scheduleCommand = commandGroup('schedule', 'weekly runs on Temporal Schedules', [
  create,
  list,
  describe,
  pauseCommand('pause'),
  pauseCommand('unpause'),
  trigger,
  backfill,
  remove,
]);
