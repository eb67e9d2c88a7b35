import { loadSettings } from '../../config/settings.js';
import { installAll } from '../../infra/install.js';
import { localDown, localStatus, localUpGenerated } from '../../infra/local.js';
import { type WorkerServiceStatus, workerServiceStatus } from '../../infra/worker-service.js';
import { type Command, commandGroup, EXIT, parseFlags } from '../command.js';

const log = (l: string) => console.log(l);

const install: Command = {
  name: 'install',
  summary: 'build the pinned Temporal CLI and MinIO servers with `go install` into the machine cache',
  usage: [
    'Usage: shelfssl infra install',
    '',
    'Builds the pinned Temporal CLI (dev server) and MinIO with `go install` into $SHELFSSL_BIN_DIR',
    '(default ~/.cache/shelfssl/bin). Skips servers already built; prints what it did and how long it took.',
  ].join('\n'),
  async run(argv) {
    parseFlags(argv, {});
    await installAll(log);
    return EXIT.ok;
  },
};

const up: Command = {
  name: 'up',
  summary: 'start Temporal (dev server, SQLite) and MinIO on 127.0.0.1; create the bucket',
  usage: [
    'Usage: shelfssl infra up [--no-workers]',
    '',
    'Starts the Temporal dev server (persisted with --db-filename under the data dir) and MinIO on 127.0.0.1,',
    'waits until both are healthy and creates the artefact bucket. A second `up` reports "already running".',
    'Also leaves three local workers running (workflows, cpu stages, gpu stages; logs in <data dir>/logs),',
    'so `shelfssl run` starts no worker processes of its own; they restart when shelfssl is rebuilt or a run',
    'reads a folder outside their data roots. --no-workers: servers only (`run` then starts its own).',
    'Ports come from SHELFSSL_TEMPORAL_ADDRESS (default 127.0.0.1:7233; UI on port+1000 or',
    'SHELFSSL_TEMPORAL_UI_PORT) and SHELFSSL_S3_PORT (default 9000; console on port+1 or SHELFSSL_MINIO_CONSOLE_PORT).',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, { 'no-workers': { type: 'boolean' } });
    await localUpGenerated(log, { workers: !values['no-workers'] });
    return EXIT.ok;
  },
};

const down: Command = {
  name: 'down',
  summary: 'stop the local workers and servers started by `infra up`',
  usage:
    'Usage: shelfssl infra down\n\nStops the local workers, MinIO and Temporal by their pid files (SIGTERM, then SIGKILL after 10 s).',
  async run(argv) {
    parseFlags(argv, {});
    await localDown(loadSettings(process.env, process.cwd(), { credentials: 'optional' }), log);
    return EXIT.ok;
  },
};

const status: Command = {
  name: 'status',
  summary: 'report health, ports, data dir and versions of the local servers',
  usage: 'Usage: shelfssl infra status [--json]\n\nExit code 0 when both servers are healthy, 1 otherwise.',
  async run(argv) {
    const { values } = parseFlags(argv, { json: { type: 'boolean' } });
    const settings = loadSettings(process.env, process.cwd(), { credentials: 'optional' });
    const rows = await localStatus(settings);
    const workers = workerServiceStatus(settings.dataDir);
    if (values.json)
      console.log(JSON.stringify({ dataDir: settings.dataDir, servers: rows, workers }, null, 2));
    else {
      console.log(`data dir: ${settings.dataDir}`);
      for (const r of rows) {
        const state = r.healthy ? 'healthy' : r.running ? 'running, not healthy' : 'stopped';
        console.log(
          `${r.name.padEnd(9)} ${state.padEnd(21)} ${r.endpoint}  pid ${r.pid ?? '-'}  ${r.version}`,
        );
        console.log(
          `${''.padEnd(9)} ${r.extra}${r.installed ? '' : '  (not installed: run `shelfssl infra install`)'}`,
        );
      }
      console.log(`${'workers'.padEnd(9)} ${workerServiceLine(workers)}`);
    }
    return rows.every((r) => r.healthy) ? EXIT.ok : EXIT.failed;
  },
};

function workerServiceLine(w: WorkerServiceStatus): string {
  if (w.processes.length === 0)
    return 'not started (`shelfssl infra up` starts them; `run` starts its own meanwhile)';
  const running = w.processes.filter((p) => p.running).length;
  const pids = w.processes.map((p) => `${p.name} ${p.pid}${p.running ? '' : ' (exited)'}`).join(', ');
  return `${running}/${w.processes.length} running: ${pids}; data roots ${w.dataRoots.join(', ')}`;
}

export const infraCommand = commandGroup(
  'infra',
  'Build, start, stop and inspect the local Temporal + MinIO.',
  [install, up, down, status],
);
