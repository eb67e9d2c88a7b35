import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { cropShelfImages } from '../data/crop/crop-shelf-images.js';
import { findFashionMnist } from '../data/fashion-mnist.js';
import { matchLabels, readLabelCsv } from '../data/labels/index.js';
import { makeShelves, tinyShelvesOptions } from '../data/shelves/make-shelves.js';
import { ingestSku110k } from '../data/sku110k/ingest.js';

export const cropBenchOptionsSchema = z.object({
  /** Shelf images to generate (640×480, ~65 boxes each with Fashion-MNIST; ≥ 2,000 boxes needs ≥ ~35). */
  images: z.number().int().min(1).default(40),
  runs: z.number().int().min(1).default(3),
  cropSize: z.number().int().min(4).default(32),
  concurrency: z.number().int().min(1).default(2),
  resizer: z.enum(['js', 'sharp']).default('js'),
  seed: z.number().int().default(1),
  /** Use synthetic glyph products even when Fashion-MNIST is installed. */
  tiny: z.boolean().default(false),
});
export type CropBenchOptions = z.input<typeof cropBenchOptionsSchema>;

export interface CropBenchResult {
  machine: { cpus: number; model: string; node: string; platform: string };
  settings: z.infer<typeof cropBenchOptionsSchema> & { source: string };
  images: number;
  crops: number;
  /** Crops per second of each run, in run order. */
  runs: number[];
  median: number;
  min: number;
  max: number;
}

/** Times cropShelfImages (decode + cut + resize + shard writing) on a generated dataset; dataset generation and
 * ingest are outside the timing. */
export async function runCropBench(options: CropBenchOptions = {}): Promise<CropBenchResult> {
  const settings = cropBenchOptionsSchema.parse(options);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'shelfssl-bench-'));
  try {
    const root = path.join(dir, 'shelves');
    const useFashion = !settings.tiny && findFashionMnist() !== null;
    await makeShelves(
      useFashion
        ? { out: root, images: settings.images, seed: settings.seed }
        : {
            ...tinyShelvesOptions(root, settings.seed, settings.images),
            width: 640,
            height: 480,
            productSize: [40, 90],
          },
    );
    const ingest = await ingestSku110k({ root });
    const labels = matchLabels(ingest.boxes, (await readLabelCsv(path.join(root, 'labels.csv'))).rows);
    const runs: number[] = [];
    for (let run = 0; run < settings.runs; run++) {
      const started = performance.now();
      const result = await cropShelfImages({
        root,
        boxes: ingest.boxes,
        labels: labels.labels,
        outDir: path.join(dir, `crops-${run}`),
        cropSize: settings.cropSize,
        concurrency: settings.concurrency,
        resizer: settings.resizer,
        seed: settings.seed,
      });
      runs.push(result.crops / ((performance.now() - started) / 1000));
    }
    const sorted = [...runs].sort((a, b) => a - b);
    const cpus = os.cpus();
    return {
      machine: {
        cpus: cpus.length,
        model: cpus[0]?.model ?? 'unknown',
        node: process.version,
        platform: `${os.platform()} ${os.arch()}`,
      },
      settings: { ...settings, source: useFashion ? 'fashion-mnist' : 'tiny glyphs' },
      images: ingest.counts.images,
      crops: ingest.counts.goodBoxes,
      runs,
      median: sorted[Math.floor(sorted.length / 2)]!,
      min: sorted[0]!,
      max: sorted.at(-1)!,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function formatResult(r: CropBenchResult): string {
  const f = (n: number): string => n.toFixed(0);
  return [
    `machine: ${r.machine.cpus} × ${r.machine.model}, ${r.machine.platform}, node ${r.machine.node}`,
    `settings: ${JSON.stringify(r.settings)}`,
    `dataset: ${r.images} images, ${r.crops} boxes`,
    `crops/s: median ${f(r.median)} (min–max ${f(r.min)}–${f(r.max)}) over ${r.runs.length} runs [${r.runs.map(f).join(', ')}]`,
  ].join('\n');
}

async function main(): Promise<void> {
  const resizers = process.argv.includes('--compare') ? (['js', 'sharp'] as const) : (['js'] as const);
  for (const resizer of resizers) console.log(`${formatResult(await runCropBench({ resizer }))}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
