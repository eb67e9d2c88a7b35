import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { FeatureEntry, FeatureIndexHeader } from '../pipelines/artefacts/feature-index-file.js';
import { swavStage } from './scale-swav.js';

/**
 * The scale run: SKU110K-sized photos (largeShelvesOptions) through ingest -> crop -> features -> sample, each
 * stage in its own process so its peak RSS is its own (VmHWM). The stages are the library functions the
 * activities call, with the same streamed indexes (boxes.json + boxes.ndjson, the crop pool's index.json +
 * index.ndjson, the features' index.json + index.ndjson): no Temporal, no MinIO, since what grows with the
 * dataset is the data path. The flag is --data, not --dir: tfjs-node's binding loader (node-pre-gyp) reads
 * --dir from process.argv. Usage:
 *   node dist/bench/scale.js --photos 2000 --data /tmp/scale [--stages ingest,crop,features,sample]
 * A dataset already in <data>/shelves with the same photo count (its shelves.json) is reused, not generated.
 */

const SELF = fileURLToPath(import.meta.url);
const STAGES = ['ingest', 'crop', 'features', 'sample', 'swav'] as const;
type StageName = (typeof STAGES)[number];
/** Rows the features stage reads and extracts at once (the activity groups photos to ~2,048 rows too). */
const FEATURE_GROUP_ROWS = 2048;
const FRACTIONS = [10, 20, 50, 100];

interface StageFigures {
  stage: string;
  seconds: number;
  peakRssMiB: number;
  items: number;
  unit: string;
}

/**
 * This process's peak RSS: VmHWM (reset at exec). getrusage's maxrss survives exec on Linux, so a stage
 * process would report the generator parent's peak.
 */
function peakRssMiB(): number {
  const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return hwm ? Number(hwm[1]) / 1024 : process.resourceUsage().maxRSS / 1024;
}

/*
 * Each stage imports its modules when it runs: a stage process then carries only its own code (a static import
 * of everything cost every stage ~18 MiB of RSS that was not its own).
 */

async function boxesHeader(dir: string) {
  const { readIndexHeader } = await import('../data/ndjson-index.js');
  const { BoxTableSchema } = await import('../pipelines/artefacts/box-table-file.js');
  const { BOXES_FORMAT, BOXES_VERSION } = await import('../data/sku110k/box-records.js');
  return await readIndexHeader(path.join(dir, 'boxes.json'), BoxTableSchema, {
    format: BOXES_FORMAT,
    version: BOXES_VERSION,
    step: 'ingest',
  });
}

/** What the ingest activity writes: the box records (streamed out, grouped by photo) and the header. */
async function ingestStage(root: string, dir: string): Promise<number> {
  const { ingestSku110kStreamed } = await import('../data/sku110k/ingest.js');
  const { matchLabels } = await import('../data/labels/match-labels.js');
  const { readLabelCsv } = await import('../data/labels/read-label-csv.js');
  const { BOX_RECORDS_FILE, BOXES_FORMAT, BOXES_VERSION, BoxRecordsWriter, boxRecords } = await import(
    '../data/sku110k/box-records.js'
  );
  const file = path.join(dir, BOX_RECORDS_FILE);
  const writer = await BoxRecordsWriter.open(file);
  await ingestSku110kStreamed({ root }, (box) => writer.add(box));
  const { count, photos } = await writer.close();
  const classes = Object.keys(shelvesClasses(root));
  const rows = (await readLabelCsv(path.join(root, 'labels.csv'))).rows;
  const labelImages = new Set(rows.map((r) => r.image));
  const labelBoxes = [];
  for await (const box of boxRecords({ file, step: 'ingest', count }))
    if (labelImages.has(box.image)) labelBoxes.push(box);
  const matched = matchLabels(labelBoxes, rows, { classes });
  const header = {
    format: BOXES_FORMAT,
    version: BOXES_VERSION,
    count,
    photos,
    classes,
    labels: matched.labels,
  };
  await writeFile(path.join(dir, 'boxes.json'), `${JSON.stringify(header)}\n`);
  return count;
}

async function cropStage(root: string, dir: string): Promise<number> {
  const { cropAllBoxes } = await import('../data/crop/index.js');
  const { BOX_RECORDS_FILE, boxRecords, photosOf } = await import('../data/sku110k/box-records.js');
  const header = await boxesHeader(dir);
  const file = path.join(dir, BOX_RECORDS_FILE);
  const photos = photosOf(boxRecords({ file, step: 'ingest', count: header.count }), file);
  const r = await cropAllBoxes({
    root,
    outDir: path.join(dir, 'crops'),
    boxes: photos,
    totalImages: header.photos,
    seed: 7,
    cropSize: 32,
  });
  return r.crops;
}

/**
 * What features does per photo group: rows read from the pool a shard at a time, extracted, written out as
 * feature shards as they come, the entries streamed from the crop index to the features' index.ndjson.
 */
async function featuresStage(dir: string): Promise<number> {
  // Loaded here only: TensorFlow's native runtime alone is ~0.5 GB of RSS the other stages must not carry.
  const { ensureBackend } = await import('../activities/stages/support/ml-runtime.js');
  const { buildBackbone, extractFeatures } = await import('../ml/models/index.js');
  const { SmallResNetSpec } = await import('../ml/models/backbone-spec.js');
  const { cropEntries, readCropIndex } = await import('../data/crop/index.js');
  const { ShardedCropRows } = await import('../data/crop/pool-rows.js');
  const { NdjsonWriter } = await import('../data/ndjson-index.js');
  const { encodeNpy } = await import('../data/npy.js');
  const { FEATURE_ENTRIES_FILE, FEATURES_INDEX_VERSION } = await import(
    '../pipelines/artefacts/feature-index-file.js'
  );
  const info = await ensureBackend();
  if (info.name !== 'tensorflow') {
    const { loadNativeBackendDetailed } = await import('../runtime/native-backend.js');
    console.error(`native backend not loaded: ${(await loadNativeBackendDetailed()).reasons.join('; ')}`);
  }
  const poolDir = path.join(dir, 'crops', 'all');
  const index = await readCropIndex(poolDir);
  const rows = new ShardedCropRows(poolDir, index);
  const model = buildBackbone(SmallResNetSpec.parse({ kind: 'small-resnet' }));
  const out = path.join(dir, 'features');
  await mkdir(path.join(out, 'all'), { recursive: true });
  const shards: FeatureIndexHeader['shards'] = [];
  let dim = 0;
  for (let start = 0; start < index.count; start += FEATURE_GROUP_ROWS) {
    const n = Math.min(FEATURE_GROUP_ROWS, index.count - start);
    const feats = await extractFeatures(model, await rows.rows(start, n), n, rows.size, rows.size, 3, 256);
    dim = feats.length / n;
    const file = `all/features-${String(shards.length).padStart(5, '0')}.npy`;
    await writeFile(path.join(out, file), encodeNpy(feats, [n, dim]));
    shards.push({ file, rows: n });
  }
  model.dispose();
  const entries = await NdjsonWriter.open<FeatureEntry>(path.join(out, FEATURE_ENTRIES_FILE));
  for await (const e of cropEntries(poolDir, index))
    await entries.write({ boxId: e.boxId, image: e.image, split: e.split === 'test' ? 'test' : 'train' });
  await entries.close();
  const header: FeatureIndexHeader = {
    format: 'shelfssl-features',
    version: FEATURES_INDEX_VERSION,
    dtype: 'float32',
    dim: Math.max(dim, 1),
    count: index.count,
    shards,
  };
  await writeFile(path.join(out, 'index.json'), `${JSON.stringify(header)}\n`);
  return index.count;
}

/** The sample activity: the crop index streamed past the labels (from the boxes header), nested samples. */
async function sampleStage(dir: string): Promise<number> {
  const { labelledSplits } = await import('../activities/stages/support/box-labels.js');
  const { cropEntries, readCropIndex } = await import('../data/crop/index.js');
  const { nestedStratifiedSample } = await import('../data/sampling.js');
  const { labels } = await boxesHeader(dir);
  const poolDir = path.join(dir, 'crops', 'all');
  const index = await readCropIndex(poolDir);
  const labelOf = new Map(labels.map((l) => [l.boxId, l.label]));
  const { train } = await labelledSplits(cropEntries(poolDir, index), { classes: [], labelOf });
  const samples = nestedStratifiedSample(train, FRACTIONS, 1);
  await writeFile(
    path.join(dir, 'sample.json'),
    `${JSON.stringify({ candidates: train.length, samples })}\n`,
  );
  return index.count;
}

async function stage(name: StageName, dir: string): Promise<StageFigures> {
  const root = path.join(dir, 'shelves');
  const started = performance.now();
  const [items, unit] =
    name === 'ingest'
      ? [await ingestStage(root, dir), 'boxes']
      : name === 'crop'
        ? [await cropStage(root, dir), 'crops']
        : name === 'features'
          ? [await featuresStage(dir), 'crops']
          : name === 'sample'
            ? [await sampleStage(dir), 'crops']
            : [await swavStage(dir), 'crops trained on'];
  const seconds = (performance.now() - started) / 1000;
  return { stage: name, seconds, peakRssMiB: peakRssMiB(), items, unit };
}

const ShelvesJson = z.object({
  options: z.object({ classes: z.record(z.string(), z.number()).optional() }).loose(),
  result: z.object({ images: z.record(z.string(), z.number()), boxes: z.number() }).loose(),
});

function readShelvesJson(root: string): z.infer<typeof ShelvesJson> | undefined {
  const file = path.join(root, 'shelves.json');
  if (!existsSync(file)) return undefined;
  return ShelvesJson.parse(JSON.parse(readFileSync(file, 'utf8')));
}

function shelvesClasses(root: string): Record<string, number> {
  const classes = readShelvesJson(root)?.options.classes;
  if (!classes) throw new Error(`${root}/shelves.json names no classes: regenerate the dataset`);
  return classes;
}

/** The dataset at <dir>/shelves: reused when its shelves.json says it has `photos` photos, else generated. */
async function ensureDataset(dir: string, photos: number): Promise<number> {
  const root = path.join(dir, 'shelves');
  const existing = readShelvesJson(root);
  const count = existing && Object.values(existing.result.images).reduce((a, b) => a + b, 0);
  if (existing && count === photos) {
    console.error(`reusing ${root}: ${photos} photos, ${existing.result.boxes} boxes`);
    return existing.result.boxes;
  }
  mkdirSync(dir, { recursive: true });
  const genStart = performance.now();
  const { largeShelvesOptions, makeShelves } = await import('../data/shelves/index.js');
  const made = await makeShelves(largeShelvesOptions(root, 2040, photos));
  const seconds = ((performance.now() - genStart) / 1000).toFixed(0);
  console.error(`generated ${photos} photos, ${made.boxes} boxes in ${seconds} s`);
  return made.boxes;
}

function parseStages(list: string): StageName[] {
  const names = list.split(',').map((s) => s.trim());
  const unknown = names.filter((n) => !(STAGES as readonly string[]).includes(n));
  if (unknown.length > 0)
    throw new Error(`--stages: unknown ${unknown.join(', ')} (choose from ${STAGES.join(', ')})`);
  return names as StageName[];
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = (flag: string, fallback: string) => {
    const i = args.indexOf(flag);
    return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
  };
  const dir = get('--data', path.join(os.tmpdir(), 'shelfssl-scale'));
  const only = get('--stage', '');
  if (only) {
    console.log(JSON.stringify(await stage(parseStages(only)[0]!, dir)));
    return;
  }
  const photos = Number.parseInt(get('--photos', '2000'), 10);
  const stages = parseStages(get('--stages', STAGES.join(',')));
  const boxes = await ensureDataset(dir, photos);
  const rows: StageFigures[] = [];
  for (const name of stages) {
    const child = spawnSync(process.execPath, [SELF, '--data', dir, '--stage', name], {
      encoding: 'utf8',
      maxBuffer: 1 << 20,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    if (child.status !== 0) throw new Error(`stage ${name} failed (exit ${child.status})`);
    const figures = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as StageFigures;
    rows.push(figures);
    console.error(JSON.stringify(figures));
  }
  const load = os.loadavg()[0]?.toFixed(2);
  console.log(
    `| stage | wall s | items/s | peak RSS MiB | (${photos} photos, ${boxes} boxes, load ${load}) |`,
  );
  console.log('|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.stage} | ${r.seconds.toFixed(1)} | ${(r.items / r.seconds).toFixed(0)} ${r.unit}/s | ${r.peakRssMiB.toFixed(0)} | |`,
    );
  writeFileSync(path.join(dir, 'scale-figures.json'), `${JSON.stringify({ photos, boxes, load, rows })}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
