import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { cropShelfImages } from '../data/crop/crop-shelf-images.js';
import { findFashionMnist } from '../data/fashion-mnist.js';
import { matchLabels, readLabelCsv } from '../data/labels/index.js';
import { largeShelvesOptions, makeShelves, tinyShelvesOptions } from '../data/shelves/make-shelves.js';
import { ingestSku110k } from '../data/sku110k/ingest.js';
import { type Spread, spread } from './stats.js';

export const cropBenchOptionsSchema = z.object({
  /**
   * `demo`: the demo's 640×480 shelves (~65 boxes each); `large`: SKU110K-sized 3000×4000 photos with ~150
   * boxes of 100–420 px (largeShelvesOptions).
   */
  shelves: z.enum(['demo', 'large']).default('demo'),
  /** Shelf images to generate (demo: ≥ 2,000 boxes needs ≥ ~35; large: ~150 boxes each). */
  images: z.number().int().min(1).default(40),
  runs: z.number().int().min(1).default(3),
  cropSize: z.number().int().min(4).default(32),
  concurrency: z.number().int().min(1).default(2),
  resizer: z.enum(['js', 'sharp']).default('js'),
  /** Decode modes timed on the same photos, interleaved run by run (`full` is the old path). */
  decodes: z
    .array(z.enum(['full', 'reduced']))
    .min(1)
    .default(['full', 'reduced']),
  seed: z.number().int().default(1),
  /** Use synthetic glyph products even when Fashion-MNIST is installed. */
  tiny: z.boolean().default(false),
});
export type CropBenchOptions = z.input<typeof cropBenchOptionsSchema>;

export interface CropBenchResult {
  machine: { cpus: number; model: string; node: string; platform: string; load: number };
  settings: z.infer<typeof cropBenchOptionsSchema> & { source: string };
  images: number;
  crops: number;
  width: number;
  height: number;
  /** Crops per second of each run per decode mode, in run order, and their spread. */
  byDecode: Partial<Record<'full' | 'reduced', { runs: number[] } & Spread>>;
  /**
   * Crops per CPU-second (process CPU time: the main thread's resampling and libvips' decode threads), per
   * decode mode. On a shared machine wall time measures the neighbours too; × cores is what idle cores give.
   */
  perCpuSecond: Partial<Record<'full' | 'reduced', Spread>>;
}

/** Times cropShelfImages (decode + cut + resize + shard writing) on a generated dataset; dataset generation and
 * ingest are outside the timing. Decode modes alternate within each run so load on a shared machine hits both. */
export async function runCropBench(options: CropBenchOptions = {}): Promise<CropBenchResult> {
  const settings = cropBenchOptionsSchema.parse(options);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shelfssl-bench-'));
  try {
    const root = path.join(dir, 'shelves');
    const useFashion = !settings.tiny && findFashionMnist() !== null;
    await makeShelves(benchShelves(root, settings, useFashion));
    const ingest = await ingestSku110k({ root });
    const labels = matchLabels(ingest.boxes, (await readLabelCsv(path.join(root, 'labels.csv'))).rows);
    const runs: Record<string, number[]> = Object.fromEntries(settings.decodes.map((d) => [d, []]));
    const cpuRuns: Record<string, number[]> = Object.fromEntries(settings.decodes.map((d) => [d, []]));
    for (let run = 0; run < settings.runs; run++) {
      for (const decode of settings.decodes) {
        const outDir = path.join(dir, `crops-${run}-${decode}`);
        const started = performance.now();
        const cpu = process.cpuUsage();
        const result = await cropShelfImages({
          root,
          boxes: ingest.boxes,
          labels: labels.labels,
          outDir,
          cropSize: settings.cropSize,
          concurrency: settings.concurrency,
          resizer: settings.resizer,
          decode,
          seed: settings.seed,
        });
        runs[decode]!.push(result.crops / ((performance.now() - started) / 1000));
        const used = process.cpuUsage(cpu);
        cpuRuns[decode]!.push(result.crops / ((used.user + used.system) / 1e6));
        await rm(outDir, { recursive: true, force: true });
      }
    }
    const cpus = os.cpus();
    const first = ingest.boxes[0]!;
    return {
      machine: {
        cpus: cpus.length,
        model: cpus[0]?.model ?? 'unknown',
        node: process.version,
        platform: `${os.platform()} ${os.arch()}`,
        load: os.loadavg()[0] ?? 0,
      },
      settings: { ...settings, source: useFashion ? 'fashion-mnist' : 'tiny glyphs' },
      images: ingest.counts.images,
      crops: ingest.counts.goodBoxes,
      width: first.imageWidth,
      height: first.imageHeight,
      byDecode: Object.fromEntries(Object.entries(runs).map(([d, r]) => [d, { runs: r, ...spread(r) }])),
      perCpuSecond: Object.fromEntries(Object.entries(cpuRuns).map(([d, r]) => [d, spread(r)])),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function benchShelves(root: string, s: z.infer<typeof cropBenchOptionsSchema>, useFashion: boolean) {
  if (s.shelves === 'large') return largeShelvesOptions(root, s.seed, s.images);
  if (useFashion) return { out: root, images: s.images, seed: s.seed };
  return {
    ...tinyShelvesOptions(root, s.seed, s.images),
    width: 640,
    height: 480,
    productSize: [40, 90] as [number, number],
  };
}

export function formatCropResult(r: CropBenchResult): string {
  const f = (n: number): string => n.toFixed(0);
  return [
    `machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.platform}, node ${r.machine.node}, load ${r.machine.load.toFixed(2)}`,
    `settings: ${JSON.stringify(r.settings)}`,
    `dataset: ${r.images} images of ${r.width}×${r.height}, ${r.crops} boxes`,
    ...Object.entries(r.byDecode).map(
      ([decode, s]) =>
        `crops/s (${decode} decode): median ${f(s.median)} (min–max ${f(s.min)}–${f(s.max)}) over ${s.n} runs [${s.runs.map(f).join(', ')}]`,
    ),
    ...Object.entries(r.perCpuSecond).map(
      ([decode, s]) =>
        `crops per CPU-second (${decode} decode): median ${f(s.median)} (min–max ${f(s.min)}–${f(s.max)})`,
    ),
  ].join('\n');
}

async function main(): Promise<void> {
  const large = process.argv.includes('--large');
  console.log(formatCropResult(await runCropBench(large ? { shelves: 'large', images: 12 } : {})));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
