// Cross-checks shelfssl's SwAV against an independent PyTorch SwAV (bench/swav_reference.py) trained on the
// same crops with the same architecture, views, prototypes, epochs and batch size (the settings shelfssl's
// pretrain artefact resolved), then probes both feature sets with the same converged linear head
// (ml/head, the head stage's protocol) on the run's own label samples and test split.
// Usage: node dist/bench/swav-reference.js <workflowId> [backbone=exp3-swav] [--epochs N]
//   (the run's Temporal + MinIO settings as for the CLI; --epochs N trains the reference at a reduced, stated
//   scale and then compares against the reference only, not the run)
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { openArtefact, readInputJson } from '../activities/artefact-input.js';
import { readBoxLabels } from '../activities/stages/support/box-labels.js';
import { loadCropPool, trainRegionRows } from '../activities/stages/support/crop-pool.js';
import { loadFeatures, readFeatureIndex } from '../activities/stages/support/feature-table.js';
import { decodeNpy, encodeNpy } from '../data/npy.js';
import { predictHead, trainLinearHead } from '../ml/head/index.js';
import { createRng, permutation } from '../ml/random.js';
import { SwavParams } from '../ml/swav/params.js';
import {
  cropStage,
  featuresStage,
  HeadParams,
  headStage,
  ingestStage,
  pretrainStage,
  sampleStage,
} from '../pipelines/stages.js';
import { finishedRun } from './finished-run.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../../bench/swav_reference.py', import.meta.url));
const FRACTIONS = [10, 100];
const Summary = z.object({
  torch: z.string(),
  threads: z.number(),
  steps: z.number(),
  trainSeconds: z.number(),
  epochLoss: z.array(z.number()),
});

/** Features by box id: row-major values with the row of each crop. */
interface Table {
  dim: number;
  values: Float32Array;
  rowOf: Map<string, number>;
}

function rowsOf(t: Table, ids: readonly string[]): Float32Array {
  const out = new Float32Array(ids.length * t.dim);
  ids.forEach((id, i) => {
    const r = t.rowOf.get(id);
    if (r === undefined) throw new Error(`no features for crop ${id}`);
    out.set(t.values.subarray(r * t.dim, (r + 1) * t.dim), i * t.dim);
  });
  return out;
}

/** The head stage's supervised protocol (CV-chosen λ, converged L-BFGS) on `train`, accuracy on `test`. */
function probe(
  t: Table,
  train: { id: string; label: number }[],
  test: { id: string; label: number }[],
  classes: number,
  seed: number,
  settings: object,
): number {
  const fit = trainLinearHead({
    features: rowsOf(
      t,
      train.map((x) => x.id),
    ),
    dim: t.dim,
    labels: Int32Array.from(train, (x) => x.label),
    classes,
    seed,
    settings,
  });
  const predicted = predictHead(
    fit.head,
    rowsOf(
      t,
      test.map((x) => x.id),
    ),
  ).labels;
  return test.filter((x, i) => predicted[i] === x.label).length / test.length;
}

/** The crops the pretrain stage trained on: the training region, or its seeded `maxImages` subset. */
function swavRows(region: number[], swav: Record<string, unknown>): number[] {
  const max = Number(swav.maxImages ?? 0);
  if (max === 0 || max >= region.length) return region;
  // As swavTrainingImages draws them.
  return permutation(region.length, createRng(Number(swav.seed)))
    .slice(0, max)
    .map((i) => region[i]!);
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) =>
  Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const cell = (xs: number[]) => `${(100 * mean(xs)).toFixed(1)} ± ${(100 * std(xs)).toFixed(1)}`;

async function main(argv: string[]): Promise<number> {
  const epochsAt = argv.indexOf('--epochs');
  const epochs = epochsAt >= 0 ? Number(argv[epochsAt + 1]) : undefined;
  const [workflowId, backbone = 'exp3-swav'] = argv.filter(
    (a, i) => !a.startsWith('--') && (epochsAt < 0 || i !== epochsAt + 1),
  );
  if (!workflowId) {
    console.error('usage: node dist/bench/swav-reference.js <workflowId> [backbone] [--epochs N]');
    return 2;
  }
  const { result, bucket } = await finishedRun(workflowId);
  const ref = (id: string) => {
    const r = result.refs[id];
    if (!r) throw new Error(`run ${workflowId} has no ${id}`);
    return r;
  };
  const features = await openArtefact(bucket, ref(`features@${backbone}`), featuresStage.outputs);
  const pretrainRef = features.manifest.inputs.backbone;
  const cropRef = features.manifest.inputs.crops;
  if (pretrainRef?.stage !== pretrainStage.name || !cropRef)
    throw new Error(`${backbone} is no SwAV backbone`);
  const pretrain = await openArtefact(bucket, pretrainRef, pretrainStage.outputs);
  const history = z
    .looseObject({ settings: z.looseObject({}) })
    .parse(await readInputJson(pretrain, 'history.json'));
  const { arch } = SwavParams.parse(pretrain.manifest.params);
  const swav = { ...history.settings, arch, ...(epochs ? { epochs } : {}) };

  const dir = await mkdtemp(path.join(os.tmpdir(), 'shelfssl-swav-reference-'));
  try {
    const pool = await loadCropPool(await openArtefact(bucket, cropRef, cropStage.outputs), dir);
    const n = pool.index.entries.length;
    await writeFile(path.join(dir, 'crops.npy'), encodeNpy(pool.pixels, [n, pool.size, pool.size, 3]));
    const trainRows = swavRows(trainRegionRows(pool.index), swav);
    await writeFile(
      path.join(dir, 'train_rows.npy'),
      encodeNpy(Int32Array.from(trainRows), [trainRows.length]),
    );
    await writeFile(path.join(dir, 'settings.json'), JSON.stringify(swav));
    console.log(`PyTorch SwAV on ${trainRows.length} crops: ${JSON.stringify(swav)}`);
    const started = Date.now();
    const summary = Summary.parse(
      JSON.parse(
        execFileSync(PYTHON, [SCRIPT, dir, '--threads', process.env.SWAV_REFERENCE_THREADS ?? '1'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      ),
    );
    const wallS = (Date.now() - started) / 1000;
    const torchFeatures = decodeNpy(await readFile(path.join(dir, 'features.npy')));
    const torchTable: Table = {
      dim: torchFeatures.shape[1]!,
      values: torchFeatures.data as Float32Array,
      rowOf: new Map(pool.index.entries.map((e, i) => [e.boxId, i])),
    };
    const ours = await loadFeatures(features, await readFeatureIndex(features));
    const ourTable: Table = {
      dim: ours.dim,
      values: ours.values,
      rowOf: new Map(ours.entries.map((e, i) => [e.boxId, i])),
    };

    const { classes, labelOf } = await readBoxLabels(
      await openArtefact(bucket, ref('ingest'), ingestStage.outputs),
    );
    const test = pool.index.entries.flatMap((e) => {
      const label = labelOf.get(e.boxId);
      return e.split === 'test' && label !== undefined ? [{ id: e.boxId, label }] : [];
    });
    const headArtefact = await openArtefact(
      bucket,
      ref(`head@${backbone}/supervised/10pct/seed1`),
      headStage.outputs,
    );
    const {
      mode: _m,
      fraction: _f,
      seed: _s,
      ...headSettings
    } = HeadParams.parse(headArtefact.manifest.params);
    const SEEDS = Object.keys(result.refs)
      .flatMap((id) => /^sample@seed(\d+)$/.exec(id)?.[1] ?? [])
      .map(Number);
    const rows: string[] = [];
    for (const fraction of FRACTIONS) {
      const acc = { ours: [] as number[], torch: [] as number[] };
      for (const seed of SEEDS) {
        const sample = await readInputJson(
          await openArtefact(bucket, ref(`sample@seed${seed}`), sampleStage.outputs),
          'sample.json',
        );
        const train = (sample.samples[String(fraction)] ?? []).flatMap((id) => {
          const label = labelOf.get(id);
          return label === undefined ? [] : [{ id, label }];
        });
        acc.ours.push(probe(ourTable, train, test, classes.length, seed, headSettings));
        acc.torch.push(probe(torchTable, train, test, classes.length, seed, headSettings));
      }
      const delta = 100 * (mean(acc.ours) - mean(acc.torch));
      rows.push(
        `| ${fraction} % | ${cell(acc.ours)} | ${cell(acc.torch)} | ${delta >= 0 ? '+' : ''}${delta.toFixed(1)} |`,
      );
    }
    const ourSeconds =
      (Date.parse(pretrain.manifest.timings.finishedAt) - Date.parse(pretrain.manifest.timings.startedAt)) /
      1000;
    console.log('');
    console.log(
      `| labels | shelfssl SwAV (${pretrain.manifest.worker.backend ?? '?'}) | PyTorch SwAV reference (torch ${summary.torch}, ${summary.threads} threads) | Δ (points) |`,
    );
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log('');
    console.log(
      `test crops ${test.length}; head: the head stage's supervised protocol, same samples (seeds ${SEEDS.join(', ')})`,
    );
    console.log(
      `shelfssl SwAV: ${(ourSeconds / 60).toFixed(1)} min (pretrain stage, epochs ${String((history.settings as { epochs?: number }).epochs)})`,
    );
    console.log(
      `PyTorch SwAV: ${(summary.trainSeconds / 60).toFixed(1)} min training, ${(wallS / 60).toFixed(1)} min with data and features; ${summary.steps} steps; epoch losses ${summary.epochLoss.map((l) => l.toFixed(3)).join(' ')}`,
    );
    return 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

process.exitCode = await main(process.argv.slice(2));
