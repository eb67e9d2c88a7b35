import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { connectClient } from '../../cli/client.js';
import { loadSettings } from '../../config/settings.js';
import { freePort } from '../../infra/ports.js';
import { isAlive } from '../../infra/processes.js';
import {
  readWorkerService,
  serviceAlive,
  stopWorkerService,
  type WorkerService,
} from '../../infra/worker-service.js';
import { runCli } from '../support/cli.js';

/** One random-init backbone on 16-px crops: the smallest plan with every kind of stage a run needs. */
const tinyConfig = (location: string) =>
  [
    'name: service',
    `dataset: { location: ${JSON.stringify(location)} }`,
    'crop: { cropSize: 16, seed: 5 }',
    'backbones:',
    '  - { name: random-init, kind: random, arch: { kind: small-resnet, inputSize: 16, widths: [8, 16], blocksPerStage: [1, 1] } }',
    'sweep: { fractions: [100], seeds: 1 }',
  ].join('\n');

/** The pids (Temporal worker identities are `pid@host`) that started the run's activities. */
async function activityWorkerPids(env: NodeJS.ProcessEnv, workflowId: string): Promise<Set<number>> {
  const { client, close } = await connectClient(loadSettings(env));
  try {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const identities = (history.events ?? []).flatMap((e) => {
      const identity = e.activityTaskStartedEventAttributes?.identity;
      return identity ? [Number.parseInt(identity, 10)] : [];
    });
    return new Set(identities);
  } finally {
    await close();
  }
}

function startedId(stdout: string): string {
  const id = /^started (\S+)/m.exec(stdout)?.[1];
  assert.ok(id, stdout);
  return id;
}

describe('a recorded worker pid that is not a shelfssl worker', () => {
  it('counts as exited and is never signalled', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-service-pids-'));
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const pid = stranger.pid!;
      mkdirSync(path.join(dataDir, 'run'));
      const pids = { 'cpu-workflows': pid, 'cpu-activities': pid, 'gpu-activities': pid };
      writeFileSync(
        path.join(dataDir, 'run', 'workers.json'),
        JSON.stringify({ build: 0, endpoint: '', dataRoots: [], pids }),
      );
      const recorded = readWorkerService(dataDir);
      assert.ok(recorded);
      assert.equal(serviceAlive(recorded), false);
      assert.equal(await stopWorkerService(dataDir), 'not-running');
      assert.ok(isAlive(pid), 'the stranger was left alone');
      assert.equal(readWorkerService(dataDir), undefined, 'and the record forgotten');
    } finally {
      stranger.kill();
    }
  });
});

/** `infra up` leaves workers running; `run` uses them instead of starting its own; `infra down` stops them. */
describe('the local workers of `infra up`', async () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-service-'));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    SHELFSSL_DATA_DIR: dataDir,
    SHELFSSL_DATA_ROOTS: dataDir,
    SHELFSSL_TEMPORAL_ADDRESS: `127.0.0.1:${await freePort()}`,
    SHELFSSL_TEMPORAL_UI_PORT: String(await freePort()),
    SHELFSSL_S3_PORT: String(await freePort()),
    SHELFSSL_MINIO_CONSOLE_PORT: String(await freePort()),
    SHELFSSL_PROGRESS_EVERY_S: '30',
  };
  let first: WorkerService | undefined;

  after(async () => {
    await runCli(['infra', 'down'], env);
  });

  it('up starts three workers, and a second up keeps them', async () => {
    const up = await runCli(['infra', 'up'], env);
    assert.equal(up.code, 0, up.stderr);
    assert.match(
      up.stdout,
      /local workers: started cpu-workflows \d+, cpu-activities \d+, gpu-activities \d+/,
    );
    first = readWorkerService(dataDir);
    assert.ok(first);
    assert.ok(Object.values(first.pids).every(isAlive));
    const again = await runCli(['infra', 'up'], env);
    assert.match(again.stdout, /local workers: already running/);
    assert.deepEqual(readWorkerService(dataDir)?.pids, first.pids);
    const status = await runCli(['infra', 'status', '--json'], env);
    const workers = (JSON.parse(status.stdout) as { workers: { processes: { running: boolean }[] } }).workers;
    assert.deepEqual(
      workers.processes.map((p) => p.running),
      [true, true, true],
    );
  });

  it('run hands its stages to them (no worker process of its own)', async () => {
    const shelves = path.join(dataDir, 'shelves');
    const made = await runCli(
      ['data', 'make-shelves', '--tiny', '--images', '6', '--seed', '4277', '--out', shelves],
      env,
    );
    assert.equal(made.code, 0, made.stderr);
    const config = path.join(dataDir, 'tiny.yaml');
    writeFileSync(config, tinyConfig(shelves));
    const run = await runCli(['run', '--config', config], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.doesNotMatch(run.stdout, /restarting/);
    const pids = await activityWorkerPids(env, startedId(run.stdout));
    const service = new Set([first!.pids['cpu-activities'], first!.pids['gpu-activities']]);
    assert.ok(pids.size > 0);
    assert.ok(
      [...pids].every((pid) => service.has(pid)),
      `activities ran in ${[...pids].join(', ')}, not in the service's ${[...service].join(', ')}`,
    );
  });

  it('a run reading a folder outside their data roots restarts them with it', async () => {
    const elsewhere = path.join(mkdtempSync(path.join(os.tmpdir(), 'shelfssl-elsewhere-')), 'shelves');
    await runCli(
      ['data', 'make-shelves', '--tiny', '--images', '6', '--seed', '4278', '--out', elsewhere],
      env,
    );
    const config = path.join(dataDir, 'elsewhere.yaml');
    writeFileSync(config, tinyConfig(elsewhere));
    const run = await runCli(['run', '--config', config], env);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(
      run.stdout,
      /restarting the local workers of `infra up` \(this run reads .*shelfssl-elsewhere-/,
    );
    const now = readWorkerService(dataDir);
    assert.ok(now, 'the service is recorded again');
    assert.ok(now.dataRoots.includes(elsewhere), JSON.stringify(now));
    assert.ok(now.dataRoots.includes(dataDir), 'keeps the roots it had');
    assert.ok(
      Object.values(first!.pids).every((pid) => !isAlive(pid)),
      'the old workers are gone',
    );
    const pids = await activityWorkerPids(env, startedId(run.stdout));
    assert.ok(
      [...pids].every((pid) => pid === now.pids['cpu-activities'] || pid === now.pids['gpu-activities']),
    );
  });

  it('down stops them', async () => {
    const service = readWorkerService(dataDir);
    assert.ok(service);
    const down = await runCli(['infra', 'down'], env);
    assert.match(down.stdout, /local workers: stopped/);
    assert.ok(Object.values(service.pids).every((pid) => !isAlive(pid)));
    assert.equal(readWorkerService(dataDir), undefined);
  });
});
