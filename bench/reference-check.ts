// Re-fits every head of a finished run with an independent implementation (scikit-learn, via
// test/reference/linear_probe.py) on the run's own artefacts — the cached features, the label samples, the λ
// each head chose — and compares test accuracies with the ones shelfssl published.
// Usage: node dist/bench/reference-check.js <workflowId>   (the run's Temporal + MinIO settings as for the CLI)
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { openArtefact, readInputJson } from '../activities/artefact-input.js';
import { readBoxLabels } from '../activities/stages/support/box-labels.js';
import {
  type FeatureMatrix,
  loadFeatures,
  readFeatureIndex,
  selectFeatureRows,
} from '../activities/stages/support/feature-table.js';
import { encodeNpy } from '../data/npy.js';
import {
  evaluateStage,
  featuresStage,
  HeadParams,
  headStage,
  ingestStage,
  SEMI,
  sampleStage,
} from '../pipelines/stages.js';
import type { ArtefactRef } from '../store/artefact-schema.js';
import type { Bucket } from '../store/artefacts.js';
import { finishedRun } from './finished-run.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../test/reference/linear_probe.py', import.meta.url));
const ReferenceSchema = z.object({ accuracy: z.number() });

interface Pools {
  all: FeatureMatrix;
  labelOf: Map<string, number>;
}

async function writeMatrix(file: string, m: Float32Array | Int32Array, shape: number[]) {
  await writeFile(file, encodeNpy(m, shape));
}

/** One evaluate node: shelfssl's accuracy and scikit-learn's on the same features, sample and λ. */
async function checkEvaluation(bucket: Bucket, ref: ArtefactRef, cache: Map<string, Pools>, dir: string) {
  const evaluation = await openArtefact(bucket, ref, evaluateStage.outputs);
  const metrics = await readInputJson(evaluation, 'metrics.json');
  const headRef = evaluation.manifest.inputs['head'];
  if (!headRef) throw new Error(`${ref.key}: evaluate artefact without a head input`);
  const head = await openArtefact(bucket, headRef, headStage.outputs);
  const params = HeadParams.parse(head.manifest.params);
  const training = await readInputJson(head, 'training.json');
  const featuresRef = head.manifest.inputs['features'];
  const sampleRef = head.manifest.inputs['sample'];
  const ingestRef = head.manifest.inputs['ingest'];
  if (!featuresRef || !sampleRef || !ingestRef)
    throw new Error(`${headRef.key}: head artefact without features/sample/ingest`);
  const cacheKey = `${featuresRef.key}/${ingestRef.key}`;
  let pools = cache.get(cacheKey);
  if (!pools) {
    const features = await openArtefact(bucket, featuresRef, featuresStage.outputs);
    const { labelOf } = await readBoxLabels(await openArtefact(bucket, ingestRef, ingestStage.outputs));
    pools = { all: await loadFeatures(features, await readFeatureIndex(features)), labelOf };
    cache.set(cacheKey, pools);
  }
  const { labelOf } = pools;
  const sample = await readInputJson(
    await openArtefact(bucket, sampleRef, sampleStage.outputs),
    'sample.json',
  );
  const wanted = new Set(sample.samples[String(params.fraction)] ?? []);
  const train = selectFeatureRows(pools.all, (e) => wanted.has(e.boxId) && labelOf.has(e.boxId));
  const test = selectFeatureRows(pools.all, (e) => e.split === 'test' && labelOf.has(e.boxId));
  const folder = path.join(dir, headRef.key);
  await mkdir(folder, { recursive: true });
  const labels = (m: FeatureMatrix) => Int32Array.from(m.entries, (e) => labelOf.get(e.boxId) ?? -1);
  await writeMatrix(path.join(folder, 'train_x.npy'), train.values, [train.entries.length, train.dim]);
  await writeMatrix(path.join(folder, 'train_y.npy'), labels(train), [train.entries.length]);
  await writeMatrix(path.join(folder, 'test_x.npy'), test.values, [test.entries.length, test.dim]);
  await writeMatrix(path.join(folder, 'test_y.npy'), labels(test), [test.entries.length]);
  const args = [SCRIPT, folder, String(training.l2)];
  if (params.mode === SEMI) {
    const pool = selectFeatureRows(pools.all, (e) => e.split === 'train' && !labelOf.has(e.boxId));
    await writeMatrix(path.join(folder, 'pool_x.npy'), pool.values, [pool.entries.length, pool.dim]);
    args.push('--threshold', String(params.pseudoThreshold), '--rounds', String(params.pseudoRounds));
    args.push('--pseudo-weight', String(params.pseudoWeight));
  }
  const reference = ReferenceSchema.parse(JSON.parse(execFileSync(PYTHON, args, { encoding: 'utf8' })));
  await rm(folder, { recursive: true, force: true });
  return { metrics, reference: reference.accuracy };
}

async function main(workflowId: string | undefined): Promise<number> {
  if (!workflowId) {
    console.error('usage: node dist/bench/reference-check.js <workflowId>');
    return 2;
  }
  const { result, bucket } = await finishedRun(workflowId);
  const evaluations = Object.values(result.refs).filter((r) => r.stage === evaluateStage.name);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shelfssl-reference-'));
  const cache = new Map<string, Pools>();
  let worst = 0;
  try {
    console.log('backbone      head             labels  seed  shelfssl  scikit-learn  Δ (points)');
    for (const ref of evaluations) {
      const { metrics: m, reference } = await checkEvaluation(bucket, ref, cache, dir);
      const delta = 100 * (m.accuracy - reference);
      worst = Math.max(worst, Math.abs(delta));
      console.log(
        `${m.backbone.padEnd(13)} ${m.mode.padEnd(16)} ${`${m.fraction}%`.padStart(6)}  ${String(m.seed).padStart(4)}  ` +
          `${(100 * m.accuracy).toFixed(1).padStart(8)}  ${(100 * reference).toFixed(1).padStart(12)}  ${delta.toFixed(1).padStart(10)}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    `${evaluations.length} heads re-fitted with scikit-learn; largest difference ${worst.toFixed(1)} points`,
  );
  return worst <= 1 ? 0 : 1;
}

process.exitCode = await main(process.argv[2]);
