import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSettings } from '../config/settings.js';
import { startPrivateCluster } from '../infra/private-cluster.js';
import { startWorkerService, stopWorkerService } from '../infra/worker-service.js';
import { type Spread, spread } from './stats.js';

export interface CliStartupOptions {
  reps: number;
  /** Another build's `dist/cli/main.js` to measure the same way (the "before" column). */
  baselineCli?: string;
  log: (line: string) => void;
}

export interface CliTimings {
  help: Spread;
  pipelineShow: Spread;
  statusList: Spread;
  cachedRun: Spread;
  /** The same run, to its first stage's end (the volatile `snapshot`, which every run executes). */
  firstStage: Spread;
  nodes: number;
}

/** The cached run again, with the local workers `infra up` leaves running (this build only). */
export interface ServiceTimings {
  cachedRun: Spread;
  firstStage: Spread;
}

export interface CliStartupResult {
  after: CliTimings;
  before?: CliTimings;
  withService: ServiceTimings;
}

const THIS_CLI = fileURLToPath(new URL('../cli/main.js', import.meta.url));

/** Tiny shelves, one random-init backbone, both head modes at two fractions: a 15-node plan. */
const TINY_CONFIG = (location: string) =>
  JSON.stringify({
    name: 'startup',
    dataset: { location },
    crop: { cropSize: 16, seed: 5 },
    backbones: [
      {
        name: 'random-init',
        kind: 'random',
        arch: { kind: 'small-resnet', inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1], seed: 3 },
      },
    ],
    sweep: { fractions: [50, 100], seeds: 1 },
  });

/**
 * Wall-clock seconds of one CLI invocation, from spawn to exit, as a user at the prompt sees it; and, with
 * `mark`, to the first output line matching it.
 */
function timeCli(
  cli: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
  mark?: RegExp,
): Promise<{ total: number; marked?: number }> {
  const start = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - start) / 1e9;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    let out = '';
    let marked: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      if (!mark || marked !== undefined) return;
      out += d.toString();
      if (mark.test(out)) marked = since();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const total = since();
      if (code === 0) resolve({ total, ...(marked !== undefined ? { marked } : {}) });
      else reject(new Error(`${path.basename(cli)} ${args.join(' ')} exited ${code}: ${err.slice(-2000)}`));
    });
  });
}

const COMMANDS: Record<Exclude<keyof CliTimings, 'nodes' | 'firstStage'>, (config: string) => string[]> = {
  help: () => ['--help'],
  pipelineShow: (config) => ['pipeline', 'show', '--config', config],
  statusList: () => ['status'],
  cachedRun: (config) => ['run', '--config', config],
};

const FIRST_STAGE_DONE = /snapshot\s+done/;

/**
 * Each command `reps` times per build, the builds interleaved command by command, so a busy machine's load
 * (other work on 2 shared cores) falls on both columns alike.
 */
async function measureAll(
  clis: readonly string[],
  env: NodeJS.ProcessEnv,
  dir: string,
  config: string,
  reps: number,
): Promise<CliTimings[]> {
  const samples = clis.map(
    () =>
      ({ help: [], pipelineShow: [], statusList: [], cachedRun: [], firstStage: [] }) as Record<
        keyof typeof COMMANDS | 'firstStage',
        number[]
      >,
  );
  for (let rep = 0; rep < reps; rep++)
    for (const [name, args] of Object.entries(COMMANDS) as [keyof typeof COMMANDS, (c: string) => string[]][])
      for (const [i, cli] of clis.entries()) {
        const t = await timeCli(cli, args(config), env, dir, FIRST_STAGE_DONE);
        samples[i]![name].push(t.total);
        if (name === 'cachedRun' && t.marked !== undefined) samples[i]!.firstStage.push(t.marked);
      }
  return samples.map((s) => ({
    help: spread(s.help),
    pipelineShow: spread(s.pipelineShow),
    statusList: spread(s.statusList),
    cachedRun: spread(s.cachedRun),
    firstStage: spread(s.firstStage),
    nodes: 15,
  }));
}

/** `run` of the cached plan while the workers `infra up` starts are running: `run` starts none of its own. */
async function measureWithService(
  env: NodeJS.ProcessEnv,
  dir: string,
  config: string,
  opts: CliStartupOptions,
): Promise<ServiceTimings> {
  const settings = loadSettings(env, dir);
  startWorkerService(settings, [dir]);
  try {
    opts.log('  warm-up run with the local workers of `infra up`');
    await timeCli(THIS_CLI, ['run', '--config', config], env, dir);
    const total: number[] = [];
    const first: number[] = [];
    for (let rep = 0; rep < opts.reps; rep++) {
      const t = await timeCli(THIS_CLI, ['run', '--config', config], env, dir, FIRST_STAGE_DONE);
      total.push(t.total);
      if (t.marked !== undefined) first.push(t.marked);
    }
    return { cachedRun: spread(total), firstStage: spread(first) };
  } finally {
    await stopWorkerService(settings.dataDir);
  }
}

/**
 * From the prompt to the exit code: `--help`, `pipeline show`, `status` and a fully cached `run`, for this
 * build and optionally a baseline build, against one private Temporal + MinIO.
 */
export async function runCliStartupBench(opts: CliStartupOptions): Promise<CliStartupResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-bench-cli-'));
  const cluster = await startPrivateCluster(root, 'bench-cli');
  try {
    const env = { ...process.env, ...cluster.env, SHELFSSL_PROGRESS_EVERY_S: '30' };
    const shelves = path.join(root, 'shelves');
    await timeCli(THIS_CLI, ['data', 'make-shelves', '--tiny', '--images', '8', '--out', shelves], env, root);
    const config = path.join(root, 'tiny.json');
    writeFileSync(config, TINY_CONFIG(shelves));
    const clis = [THIS_CLI, ...(opts.baselineCli ? [opts.baselineCli] : [])];
    for (const cli of clis) {
      opts.log(`  warm-up run (fills the cache) with ${cli}`);
      await timeCli(cli, ['run', '--config', config], env, root);
    }
    const [after, before] = await measureAll(clis, env, root, config, opts.reps);
    const withService = await measureWithService(env, root, config, opts);
    return { after: after!, ...(before ? { before } : {}), withService };
  } finally {
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
