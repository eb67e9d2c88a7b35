import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadRunReport } from '../../cli/commands/report/download-report.js';
import { startPipelineRun } from '../../cli/runs.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { ManifestSchema } from '../../store/artefact-schema.js';
import {
  ArtefactCorruptError,
  type Bucket,
  bucketOf,
  manifestKey,
  readArtefactFile,
  readManifest,
} from '../../store/artefacts.js';
import { artefactDigest } from '../../store/cache-key.js';
import { checkpointPrefix, loadLatestCheckpoint, saveCheckpoint } from '../../store/checkpoints.js';
import { sha256 } from '../../store/digest.js';
import { readObject } from '../../store/s3.js';
import { sign } from '../../store/signing.js';
import { uniqueRunId } from '../faults/fault-mode.js';
import { FAKE_STAGES, generateStage, reportStandIn, scaleStage } from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

/** A report stand-in whose bytes differ on every run, as the real report's do (it names its run). */
const stampedReportStage = reportStandIn((title) => `${title} written ${process.hrtime.bigint()}`);

/**
 * What someone with write access to the bucket but without the workers' key can do: rewrite a file and
 * its manifest consistently (sizes, sha256, ETag, digest), keeping or dropping the old signature.
 */
async function forge(
  bucket: Bucket,
  stage: string,
  key: string,
  file: string,
  body: Buffer,
  signature: 'drop' | 'keep' | 'other-key',
) {
  const raw = await readObject(bucket.s3, bucket.bucket, manifestKey(stage, key));
  const m = ManifestSchema.parse(JSON.parse(raw.toString('utf8')));
  const f = m.files.find((x) => x.name === file)!;
  const put = await bucket.s3.putObject(bucket.bucket, f.objectKey, body, body.length);
  Object.assign(f, { sha256: sha256(body), size: body.length, etag: put.etag });
  m.digest = artefactDigest(m.files);
  const { signature: old, ...rest } = m;
  const forged =
    signature === 'drop'
      ? rest
      : signature === 'keep'
        ? { ...rest, signature: old }
        : { ...rest, signature: sign('an attacker key of 32 characters!!', 'manifest', rest) };
  const text = Buffer.from(JSON.stringify(forged));
  await bucket.s3.putObject(bucket.bucket, manifestKey(stage, key), text, text.length);
}

describe('integrity beyond the bucket', () => {
  let w: RunningWorker;
  let bucket: Bucket;
  before(async () => {
    w = await startTestWorker('integrity', [...FAKE_STAGES, stampedReportStage]);
    bucket = bucketOf(w.settings);
  });
  after(async () => {
    await w.stop();
  });

  it('a rewritten artefact and manifest are not a cache hit; the next run recomputes the true values', async () => {
    const offset = Date.now() % 1_000_000;
    const plan: DagPlan = {
      pipeline: 'integrity',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 3, offset }, {}),
        stageNode(scaleStage.def, 'scale', { factor: 1 }, { src: 'gen' }),
      ],
    };
    const first = await (await startPipelineRun(w.client, w.settings, plan)).result();
    const gen = first.refs.gen!;
    for (const mode of ['drop', 'keep', 'other-key'] as const) {
      await forge(bucket, gen.stage, gen.key, 'values.json', Buffer.from('[999,999,999]\n'), mode);
      await assert.rejects(readManifest(bucket, gen.stage, gen.key), (e: Error) => {
        assert.ok(e instanceof ArtefactCorruptError, e.message);
        assert.match(e.message, /not signed|signed with another key|does not verify/);
        return true;
      });
      const next = await (await startPipelineRun(w.client, w.settings, plan)).result();
      const genNode = next.nodes.find((n) => n.id === 'gen')!;
      assert.equal(genNode.cacheHit, false, `the forged artefact (${mode}) is recomputed, not served`);
      const scaled = await readManifest(bucket, next.refs.scale!.stage, next.refs.scale!.key);
      const values = JSON.parse((await readArtefactFile(bucket, scaled!, 'values.json')).toString('utf8'));
      assert.deepEqual(values, [offset, offset + 1, offset + 2]);
    }
  });

  it('a workflow id names one run: a second start of the same id gets a suffix, never the first run’s id', async () => {
    const plan: DagPlan = {
      pipeline: 'integrity-ids',
      nodes: [stageNode(generateStage.def, 'gen', { count: 1, offset: 9 }, {})],
    };
    const workflowId = `integrity-ids-${Date.now()}`;
    const first = await startPipelineRun(w.client, w.settings, plan, { workflowId });
    await first.result();
    const second = await startPipelineRun(w.client, w.settings, plan, { workflowId });
    await second.result();
    assert.equal(first.workflowId, workflowId);
    assert.equal(second.workflowId, `${workflowId}-2`);
  });

  it('training never resumes from a checkpoint pointer written without the key', async () => {
    const key = 'b2'.repeat(32);
    const saved = await saveCheckpoint(bucket, 'pretrain', key, 3, Buffer.from('genuine state'));
    assert.equal((await loadLatestCheckpoint(bucket, 'pretrain', key))?.blob.toString(), 'genuine state');
    const planted = Buffer.from('planted state');
    const plantedKey = `${checkpointPrefix('pretrain', key)}/step-000000009.bin`;
    await bucket.s3.putObject(bucket.bucket, plantedKey, planted, planted.length);
    const pointer = Buffer.from(JSON.stringify({ step: 9, key: plantedKey, sha256: sha256(planted) }));
    await bucket.s3.putObject(
      bucket.bucket,
      `${checkpointPrefix('pretrain', key)}/latest.json`,
      pointer,
      pointer.length,
    );
    assert.equal(
      await loadLatestCheckpoint(bucket, 'pretrain', key),
      undefined,
      'the planted pointer is ignored',
    );
    assert.ok(saved.signature, 'pointers the workers write are signed');
  });

  it('`shelfssl report` refuses a report other than the one the run recorded in Temporal', async () => {
    const title = `integrity ${Date.now()}`;
    const plan: DagPlan = {
      pipeline: 'integrity-report',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 1, offset: 5 }, {}),
        stageNode(stampedReportStage.def, 'report', { title }, { src: 'gen' }),
      ],
    };
    // Ids of their own: two runs in one second would otherwise share the default id.
    const first = await startPipelineRun(w.client, w.settings, plan, { workflowId: uniqueRunId('report-a') });
    await first.result();
    // A later run of the same inputs rewrites the report at the same key with other bytes.
    const second = await startPipelineRun(w.client, w.settings, plan, {
      force: true,
      workflowId: uniqueRunId('report-b'),
    });
    await second.result();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'security-report-'));
    await assert.rejects(
      downloadRunReport(w.client, w.settings, first.workflowId, path.join(dir, 'first.xlsx')),
      /recorded .* in its history: it was replaced since/,
    );
    const latest = await downloadRunReport(
      w.client,
      w.settings,
      second.workflowId,
      path.join(dir, 'second.xlsx'),
    );
    assert.match(readFileSync(latest.path, 'utf8'), new RegExp(title));

    // Rewriting the latest report without the key is refused too.
    const ref = (await second.result()).refs.report!;
    await forge(bucket, ref.stage, ref.key, 'report.xlsx', Buffer.from('PK 99.9 % accuracy'), 'keep');
    await assert.rejects(
      downloadRunReport(w.client, w.settings, second.workflowId, path.join(dir, 'forged.xlsx')),
      /signed with another key|not signed/,
    );
  });
});
