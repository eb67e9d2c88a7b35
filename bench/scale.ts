import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cropAllBoxes } from '../data/crop/index.js';
import { loadCropPoolDir } from '../data/crop/load-pool.js';
import { largeShelvesOptions, makeShelves } from '../data/shelves/index.js';
import { ingestSku110k } from '../data/sku110k/ingest.js';

/**
 * The scale run: SKU110K-sized photos (largeShelvesOptions) through ingest -> crop -> features, each stage in
 * its own process so its peak RSS is its own (getrusage maxrss). The stages are the library functions the
 * activities call (no Temporal, no MinIO: what grows with the dataset is the data path). The flag is
 * --data, not --dir: tfjs-node's binding loader (node-pre-gyp) reads --dir from process.argv. Usage:
 *   node dist/bench/scale.js --photos 2000 --data /tmp/scale
 */

const SELF = fileURLToPath(import.meta.url);

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

async function stage(name: string, dir: string): Promise<StageFigures> {
  const root = path.join(dir, 'shelves');
  const started = performance.now();
  let items = 0;
  let unit = '';
  if (name === 'ingest') {
    const r = await ingestSku110k({ root });
    writeFileSync(path.join(dir, 'boxes.json'), JSON.stringify(r.boxes));
    items = r.counts.goodBoxes;
    unit = 'boxes';
  } else if (name === 'crop') {
    const boxes = JSON.parse(readFileSync(path.join(dir, 'boxes.json'), 'utf8'));
    const r = await cropAllBoxes({ root, outDir: path.join(dir, 'crops'), boxes, seed: 7, cropSize: 32 });
    items = r.crops;
    unit = 'crops';
  } else if (name === 'features') {
    // Loaded here only: TensorFlow's native runtime alone is ~0.5 GB of RSS the other stages must not carry.
    const { ensureBackend } = await import('../activities/stages/support/ml-runtime.js');
    const { buildBackbone, extractFeatures } = await import('../ml/models/index.js');
    const { SmallResNetSpec } = await import('../ml/models/backbone-spec.js');
    const info = await ensureBackend();
    if (info.name !== 'tensorflow') {
      const { loadNativeBackendDetailed } = await import('../runtime/native-backend.js');
      console.error(`native backend not loaded: ${(await loadNativeBackendDetailed()).reasons.join('; ')}`);
    }
    const pool = await loadCropPoolDir(path.join(dir, 'crops', 'all'));
    const model = buildBackbone(SmallResNetSpec.parse({ kind: 'small-resnet' }));
    const feats = await extractFeatures(model, pool.pixels, pool.n, pool.size, pool.size, 3, 256);
    items = feats.length > 0 ? pool.n : 0;
    unit = 'crops';
  } else throw new Error(`unknown stage ${name}`);
  const seconds = (performance.now() - started) / 1000;
  return { stage: name, seconds, peakRssMiB: peakRssMiB(), items, unit };
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
    console.log(JSON.stringify(await stage(only, dir)));
    return;
  }
  const photos = Number.parseInt(get('--photos', '2000'), 10);
  mkdirSync(dir, { recursive: true });
  const genStart = performance.now();
  const made = await makeShelves({
    ...largeShelvesOptions(path.join(dir, 'shelves'), 2040, photos),
    labelShare: 0,
  });
  console.error(
    `generated ${photos} photos, ${made.boxes} boxes in ${((performance.now() - genStart) / 1000).toFixed(0)} s`,
  );
  const rows: StageFigures[] = [];
  for (const name of ['ingest', 'crop', 'features']) {
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
    `| stage | wall s | items/s | peak RSS MiB | (${photos} photos, ${made.boxes} boxes, load ${load}) |`,
  );
  console.log('|---|---|---|---|---|');
  for (const r of rows)
    console.log(
      `| ${r.stage} | ${r.seconds.toFixed(1)} | ${(r.items / r.seconds).toFixed(0)} ${r.unit}/s | ${r.peakRssMiB.toFixed(0)} | |`,
    );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
