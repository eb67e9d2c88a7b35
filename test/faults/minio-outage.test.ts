import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineStage } from '../../activities/stage-types.js';
import { startPipelineRun } from '../../cli/runs.js';
import type { Settings } from '../../config/settings.js';
import type { DagNode, DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import {
  type Bucket,
  bucketOf,
  readArtefactFile,
  readManifest,
  verifyManifest,
} from '../../store/artefacts.js';
import { runStateQuery } from '../../workflows/run-state.js';
import { harnessRoot, testSettings } from '../support/env.js';
import { FAKE_STAGES, generateStage, scaleStage, sumStage } from '../support/fake-stages.js';
import { byMode, uniqueRunId, waitFor, withTimeout } from './fault-mode.js';
import { OWN_MINIO_CREDENTIALS, ownMinio, type RestartableServer } from './own-servers.js';
import { type OwnWorker, startWorkerOn } from './own-worker.js';

const OUTAGE_MS = byMode(5_000, 30_000);
const PARTS = 12;

/** Writes its output in parts with pauses, so an outage lands between data objects of one artefact. */
const chunkedStage = defineStage({
  module: import.meta.url,
  def: {
    name: 't-chunked',
    description: 'test stage: many data objects, then values.json',
    codeVersion: 1,
    params: z.strictObject({ parts: z.number().int(), stepMs: z.number(), tag: z.string() }),
    inputs: {},
    outputs: ['values.json'],
    queue: 'cpu',
    startToCloseTimeout: '5 minutes',
    heartbeatTimeout: '10 seconds',
  },
  async run(ctx, p) {
    for (let i = 0; i < p.parts; i++) {
      await ctx.writer.putBuffer(`part-${i}.bin`, Buffer.alloc(64 * 1024, i + 1));
      ctx.progress({ step: i + 1, done: i + 1, total: p.parts, unit: 'parts' });
      await sleep(p.stepMs);
    }
    await ctx.writer.putJson('values.json', [p.parts]);
    return { metrics: { parts: p.parts } };
  },
});

/** Production's default retry policy: the run must survive the outage with it, not with a test-only one. */
function productionRetry(n: DagNode): DagNode {
  return {
    ...n,
    retry: {
      maximumAttempts: 5,
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '30 seconds',
    },
  };
}

function outagePlan(tag: string): DagPlan {
  const nodes = [
    stageNode(generateStage.def, 'gen', { count: 20, offset: 9000 }, {}),
    stageNode(chunkedStage.def, 'chunked', { parts: PARTS, stepMs: 300, tag }, {}),
    stageNode(scaleStage.def, 'scale', { factor: 2, delayMs: 500 }, { src: 'gen' }),
    stageNode(sumStage.def, 'sum', {}, { a: 'scale', b: 'chunked' }),
  ].map(productionRetry);
  return { pipeline: `minio-outage-${tag}`, nodes };
}

interface ReaderTally {
  polls: number;
  failedPolls: number;
  manifestsChecked: number;
  violations: string[];
}

/** Every published manifest under artefacts/, checked: listed files exist, sizes, ETags and sha256 match. */
async function checkEveryManifest(bucket: Bucket, tally: ReaderTally): Promise<void> {
  const keys: string[] = [];
  for await (const item of bucket.s3.listObjectsV2(bucket.bucket, 'artefacts/', true)) {
    if (typeof item.name === 'string' && item.name.endsWith('/manifest.json')) keys.push(item.name);
  }
  for (const key of keys) {
    const [, stage, cacheKey] = key.split('/');
    const manifest = await readManifest(bucket, stage!, cacheKey!);
    if (!manifest) continue;
    const verified = await verifyManifest(bucket, manifest);
    if (!verified.ok) tally.violations.push(`${key}: ${verified.problems.join('; ')}`);
    for (const f of manifest.files) await readArtefactFile(bucket, manifest, f.name);
    tally.manifestsChecked++;
  }
}

/**
 * Polls the store like a concurrent consumer until `stop` resolves. Storage errors during the outage are
 * expected and counted; a manifest whose files do not verify is a violation.
 */
async function watchArtefacts(bucket: Bucket, stop: Promise<unknown>): Promise<ReaderTally> {
  const tally: ReaderTally = { polls: 0, failedPolls: 0, manifestsChecked: 0, violations: [] };
  let done = false;
  void stop.finally(() => {
    done = true;
  });
  while (!done) {
    tally.polls++;
    try {
      await checkEveryManifest(bucket, tally);
    } catch (err) {
      if (/sha256|does not match|corrupt/i.test(String(err))) tally.violations.push(String(err));
      else tally.failedPolls++;
    }
    await sleep(150);
  }
  await checkEveryManifest(bucket, tally);
  return tally;
}

describe('a MinIO outage in the middle of a stage', () => {
  let minio: RestartableServer;
  let settings: Settings;
  let worker: OwnWorker;
  let bucket: Bucket;

  before(async () => {
    const dir = mkdtempSync(path.join(harnessRoot(), 'minio-outage-'));
    minio = await ownMinio(dir);
    const base = testSettings('minio-outage');
    settings = {
      ...base,
      s3: { ...base.s3, port: minio.port, ...OWN_MINIO_CREDENTIALS, bucket: 'faults-outage' },
    };
    worker = await startWorkerOn(settings, [...FAKE_STAGES, chunkedStage]);
    bucket = bucketOf(settings);
  });

  after(async () => {
    // Bounded: after a failure mid-outage an activity may still be waiting for storage.
    await withTimeout('worker shutdown', 20_000, worker?.stop() ?? Promise.resolve()).catch(console.error);
    await minio?.stop();
  });

  it('stages retry with back-off, the run completes, and no reader ever sees a partial artefact', async () => {
    const handle = await startPipelineRun(worker.client, settings, outagePlan(uniqueRunId('t')), {
      workflowId: uniqueRunId('minio'),
    });
    const result = handle.result();
    const reader = watchArtefacts(
      bucket,
      result.catch(() => undefined),
    );
    await waitFor(
      'the chunked stage half way',
      async () => {
        const s = await handle.query(runStateQuery);
        const node = s.nodes.find((n) => n.id === 'chunked');
        return node?.status === 'running' && (node.progress?.step ?? 0) >= PARTS / 3 ? true : undefined;
      },
      { timeoutMs: 60_000, everyMs: 50 },
    );
    const down = Date.now();
    await minio.crash();
    await sleep(OUTAGE_MS);
    await minio.restart();
    const outageMs = Date.now() - down;

    const finished = await withTimeout('run after the MinIO outage', 240_000, result);
    const tally = await reader;
    const chunked = finished.nodes.find((n) => n.id === 'chunked');
    console.log(
      `[faults] minio outage ${outageMs} ms; chunked attempts ${chunked?.attempts}; reader ${JSON.stringify({ ...tally, violations: tally.violations.length })}`,
    );
    assert.ok(
      finished.nodes.every((n) => n.status === 'done'),
      JSON.stringify(finished.nodes.map((n) => [n.id, n.status])),
    );
    // The attempt that hit the outage fails once storage is back, so the retry finds it up: one attempt lost,
    // however long the outage, instead of a retry budget burnt against a dead endpoint.
    assert.equal(chunked?.attempts, 2, 'an outage costs the running stage exactly one attempt');
    assert.ok(tally.failedPolls > 0, 'the reader saw the outage');
    assert.ok(tally.manifestsChecked >= 4, 'the reader verified the published artefacts');
    assert.deepEqual(tally.violations, [], 'a reader saw a manifest whose files do not verify');
  });
});
