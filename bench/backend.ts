// Throughput of every available TensorFlow.js backend on the networks the pipeline trains and
// extracts features with, side by side with PyTorch on the same machine, in one run:
//   node dist/bench/backend.js --reps 3 [--rounds 3] [--backends tensorflow,tensorflow:1,wasm]
// Each backend and each PyTorch thread count runs in a fresh process (like a pipeline stage), and
// with --rounds N the whole set is repeated, interleaved, and the median of the rounds reported,
// because other work on the machine skews single runs.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { buildResNet50, buildSmallResNet } from '../ml/models/index.js';
import { compileFrozenInference, initBackend, loadNativeBackendDetailed } from '../runtime/index.js';
import { SWAV_BENCH_DEFAULTS, swavBench } from './backend-swav.js';
import { formatBenchTable } from './backend-table.js';
import { runTorchReference, type TorchFigures } from './backend-torch.js';
import type {
  BackendFigures,
  BackendRequest,
  BenchResult,
  BenchSettings,
  MachineInfo,
  PairedRatio,
  TfjsFigures,
} from './backend-types.js';

const run = promisify(execFile);

export interface BenchOptions extends Partial<BenchSettings> {
  backends?: BackendRequest[];
  rounds?: number;
  torch?: boolean;
  log?: (line: string) => void;
}

const CLASSES = 10;
const DEFAULT_BACKENDS: BackendRequest[] = [
  { name: 'tensorflow' },
  { name: 'tensorflow', threads: 1 },
  { name: 'wasm' },
];

function cpuSimd(): string {
  try {
    // Linux only; tells whether oneDNN/XNNPACK get AVX2 or AVX-512 on this machine.
    const flags = new Set(
      readFileSync('/proc/cpuinfo', 'utf8')
        .split('\n')
        .find((l) => l.startsWith('flags'))
        ?.split(/\s+/) ?? [],
    );
    return ['avx2', 'fma', 'avx512f', 'avx512_vnni', 'avx512_bf16'].filter((f) => flags.has(f)).join(' ');
  } catch {
    return 'unknown';
  }
}

function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 2 ** 30,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    simd: cpuSimd(),
    loadAverage: os.loadavg(),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One warm-up (kernel setup, XNNPACK/oneDNN primitive creation), then the median of `reps` runs. */
async function medianSeconds(reps: number, step: () => Promise<void>): Promise<number> {
  await step();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = performance.now();
    await step();
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

/** Times the forward pass extractFeatures runs: the BN-folded compiled function when the model allows it. */
function inferenceStep(
  model: tfl.LayersModel,
  batch: tf.Tensor4D,
): { step: () => Promise<void>; dispose: () => void } {
  const compiled = compileFrozenInference(model);
  const forward = compiled ?? ((x: tf.Tensor4D) => model.predict(x) as tf.Tensor);
  const step = async () => {
    const out = forward(batch);
    await out.data();
    out.dispose();
  };
  return { step, dispose: () => compiled?.dispose() };
}

/** SGD on softmax cross-entropy over random labels: forward, backward and update, like pretraining. */
function trainStep(
  model: tfl.LayersModel,
  batch: tf.Tensor,
  labels: tf.Tensor,
): { step: () => Promise<void>; dispose: () => void } {
  const dim = model.outputs[0]!.shape[1] as number;
  const headWeights = tf.variable(tf.randomNormal([dim, CLASSES], 0, 0.01, 'float32', 1));
  const headBias = tf.variable(tf.zeros([CLASSES]));
  const optimizer = tf.train.sgd(0.01);
  const step = async () => {
    const loss = optimizer.minimize(() => {
      const features = model.apply(batch, { training: true }) as tf.Tensor2D;
      const logits = tf.add(tf.matMul(features, headWeights), headBias);
      return tf.losses.softmaxCrossEntropy(labels, logits) as tf.Scalar;
    }, true);
    await loss!.data();
    loss!.dispose();
  };
  const dispose = () => {
    optimizer.dispose();
    tf.dispose([headWeights, headBias]);
  };
  return { step, dispose };
}

async function benchSmallResNet(reps: number, batchSize: number): Promise<[number, number]> {
  const model = buildSmallResNet({ seed: 0 });
  const batch = tf.randomNormal([batchSize, 32, 32, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  const labels = tf.oneHot(tf.randomUniform([batchSize], 0, CLASSES, 'int32', 3) as tf.Tensor1D, CLASSES);
  const training = trainStep(model, batch, labels);
  const train = await medianSeconds(reps, training.step);
  training.dispose();
  const inference = inferenceStep(model, batch);
  const infer = await medianSeconds(reps, inference.step);
  inference.dispose();
  tf.dispose([batch, labels]);
  model.dispose();
  return [batchSize / train, batchSize / infer];
}

async function benchSwav(reps: number, batch: number): Promise<number> {
  const bench = swavBench({ ...SWAV_BENCH_DEFAULTS, batch });
  const seconds = await medianSeconds(reps, bench.step);
  bench.dispose();
  return bench.imagesPerStep / seconds;
}

async function benchResNet50(reps: number, batchSize: number): Promise<number> {
  const model = buildResNet50({ seed: 0 });
  const batch = tf.randomNormal([batchSize, 224, 224, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const inference = inferenceStep(model, batch);
  const seconds = await medianSeconds(reps, inference.step);
  inference.dispose();
  batch.dispose();
  model.dispose();
  return batchSize / seconds;
}

async function whyUnavailable(request: BackendRequest): Promise<string> {
  if (request.name !== 'tensorflow') return `initBackend did not give ${request.name}`;
  return (await loadNativeBackendDetailed()).reasons.join('; ');
}

/** Measures one backend in this process; `undefined` with a reason when it is not installed. */
export async function measureBackend(
  request: BackendRequest,
  settings: BenchSettings,
  log: (line: string) => void = console.error,
): Promise<BackendFigures | { unavailable: string }> {
  const init = { prefer: request.name, log };
  const backend = await initBackend(
    request.threads === undefined ? init : { ...init, threads: request.threads },
  );
  if (backend.name !== request.name) return { unavailable: await whyUnavailable(request) };
  log(`[bench] ${backend.name}: small ResNet train + inference, batch ${settings.smallBatch}...`);
  const [smallTrainImgPerSec, smallInferImgPerSec] = await benchSmallResNet(
    settings.reps,
    settings.smallBatch,
  );
  let swavTrainImgPerSec: number | null = null;
  if (!settings.skipSwav) {
    log(`[bench] ${backend.name}: SwAV step, batch ${settings.smallBatch}...`);
    swavTrainImgPerSec = await benchSwav(settings.reps, settings.smallBatch);
  }
  let resnet50InferImgPerSec: number | null = null;
  if (!settings.skipR50) {
    log(`[bench] ${backend.name}: ResNet-50 inference, batch ${settings.r50Batch}...`);
    resnet50InferImgPerSec = await benchResNet50(settings.r50Reps, settings.r50Batch);
  }
  return { backend, smallTrainImgPerSec, smallInferImgPerSec, swavTrainImgPerSec, resnet50InferImgPerSec };
}

function requestLabel(request: BackendRequest): string {
  return request.threads === undefined ? request.name : `${request.name}:${request.threads}`;
}

function parseBackends(text: string): BackendRequest[] {
  return text
    .split(',')
    .filter((s) => s.length > 0)
    .map((item) => {
      const [name, threads] = item.split(':');
      if (name !== 'tensorflow' && name !== 'wasm' && name !== 'cpu')
        throw new Error(`unknown backend ${item}`);
      return threads === undefined ? { name } : { name, threads: Number(threads) };
    });
}

function settingsArgs(s: BenchSettings): string[] {
  const args = ['--reps', String(s.reps), '--r50-reps', String(s.r50Reps)];
  args.push('--small-batch', String(s.smallBatch), '--r50-batch', String(s.r50Batch));
  if (s.skipR50) args.push('--skip-r50');
  if (s.skipSwav) args.push('--skip-swav');
  return args;
}

/** Runs measureBackend in a fresh Node process (a native binding and its thread pools load once). */
async function measureInChild(
  request: BackendRequest,
  settings: BenchSettings,
): Promise<BackendFigures | { unavailable: string }> {
  const self = fileURLToPath(import.meta.url);
  const args = [self, '--worker', requestLabel(request), ...settingsArgs(settings)];
  const { stdout } = await run(process.execPath, args, { maxBuffer: 1 << 20 });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as BackendFigures | { unavailable: string };
}

function medianFigures<T extends TfjsFigures>(runs: T[]): T {
  const pick = (key: keyof TfjsFigures): number | null => {
    const values = runs.map((r) => r[key]).filter((v): v is number => typeof v === 'number');
    return values.length === 0 ? null : median(values);
  };
  return {
    ...runs[0]!,
    smallTrainImgPerSec: pick('smallTrainImgPerSec') ?? Number.NaN,
    smallInferImgPerSec: pick('smallInferImgPerSec') ?? Number.NaN,
    swavTrainImgPerSec: pick('swavTrainImgPerSec'),
    resnet50InferImgPerSec: pick('resnet50InferImgPerSec'),
  };
}

interface RoundResults {
  backends: Map<string, (BackendFigures | undefined)[]>;
  unavailable: Map<string, string>;
  torch: Map<number, (TorchFigures | undefined)[]>;
  torchError?: string;
}

const FIGURE_KEYS: (keyof TfjsFigures)[] = [
  'smallTrainImgPerSec',
  'swavTrainImgPerSec',
  'smallInferImgPerSec',
  'resnet50InferImgPerSec',
];

function present<T>(values: (T | undefined)[]): T[] {
  return values.filter((v): v is T => v !== undefined);
}

function pairedRatio(
  label: string,
  threads: number,
  ours: (TfjsFigures | undefined)[],
  theirs: (TfjsFigures | undefined)[],
): PairedRatio {
  const entries = FIGURE_KEYS.map((key) => {
    const perRound: number[] = [];
    ours.forEach((o, round) => {
      const a = o?.[key];
      const b = theirs[round]?.[key];
      if (typeof a === 'number' && typeof b === 'number' && b > 0) perRound.push(a / b);
    });
    return [key, perRound.length === 0 ? null : median(perRound)] as const;
  });
  return {
    backend: label,
    torchThreads: threads,
    ratios: Object.fromEntries(entries) as Record<keyof TfjsFigures, number | null>,
  };
}

/** Stores a round's figures at its index, so rounds stay aligned for pairing. */
function record<K, T>(map: Map<K, (T | undefined)[]>, key: K, round: number, value: T): void {
  const list = map.get(key) ?? [];
  list[round] = value;
  map.set(key, list);
}

async function benchRound(
  round: number,
  requests: BackendRequest[],
  settings: BenchSettings,
  withTorch: boolean,
  acc: RoundResults,
  log: (line: string) => void,
): Promise<void> {
  for (const request of requests) {
    const label = requestLabel(request);
    if (acc.unavailable.has(label)) continue;
    log(`[bench] tfjs ${label}...`);
    const figures = await measureInChild(request, settings);
    if ('unavailable' in figures) acc.unavailable.set(label, figures.unavailable);
    else record(acc.backends, label, round, { ...figures, request: label });
  }
  if (!withTorch || acc.torchError !== undefined) return;
  for (const threads of [1, 2]) {
    log(`[bench] PyTorch, ${threads} thread(s)...`);
    try {
      record(acc.torch, threads, round, await runTorchReference({ ...settings, threads }));
    } catch (error) {
      acc.torchError = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
      return;
    }
  }
}

export async function runBackendBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const log = opts.log ?? console.log;
  const settings: BenchSettings = {
    reps: opts.reps ?? 5,
    r50Reps: opts.r50Reps ?? 2,
    smallBatch: opts.smallBatch ?? 64,
    r50Batch: opts.r50Batch ?? 8,
    skipR50: opts.skipR50 ?? false,
    skipSwav: opts.skipSwav ?? false,
  };
  const rounds = opts.rounds ?? 1;
  const machine = machineInfo();
  const acc: RoundResults = { backends: new Map(), unavailable: new Map(), torch: new Map() };
  for (let round = 0; round < rounds; round++) {
    if (rounds > 1) log(`[bench] round ${round + 1}/${rounds}`);
    await benchRound(round, opts.backends ?? DEFAULT_BACKENDS, settings, opts.torch !== false, acc, log);
  }
  const pairedRatios: PairedRatio[] = [];
  for (const [label, ours] of acc.backends) {
    for (const [threads, theirs] of acc.torch) pairedRatios.push(pairedRatio(label, threads, ours, theirs));
  }
  const result: BenchResult = {
    machine: { ...machine, loadAverage: [...machine.loadAverage, ...os.loadavg()] },
    settings,
    rounds,
    backends: [...acc.backends.values()].map((runs) => medianFigures(present(runs))),
    perRound: {
      backends: Object.fromEntries([...acc.backends].map(([k, v]) => [k, present(v)])),
      torch: Object.fromEntries([...acc.torch].map(([k, v]) => [String(k), present(v)])),
    },
    pairedRatios,
    unavailable: [...acc.unavailable].map(([request, reason]) => ({ request, reason })),
    torch: [...acc.torch.values()].map((runs) => medianFigures(present(runs))),
  };
  if (acc.torchError !== undefined) result.torchError = acc.torchError;
  return result;
}

const CLI_OPTIONS = {
  reps: { type: 'string', default: '5' },
  'r50-reps': { type: 'string', default: '2' },
  'small-batch': { type: 'string', default: '64' },
  'r50-batch': { type: 'string', default: '8' },
  'skip-r50': { type: 'boolean', default: false },
  'skip-swav': { type: 'boolean', default: false },
  'no-torch': { type: 'boolean', default: false },
  backends: { type: 'string', default: DEFAULT_BACKENDS.map(requestLabel).join(',') },
  rounds: { type: 'string', default: '1' },
  worker: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

async function main(): Promise<void> {
  const { values } = parseArgs({ options: CLI_OPTIONS });
  const settings: BenchSettings = {
    reps: Number(values.reps),
    r50Reps: Number(values['r50-reps']),
    smallBatch: Number(values['small-batch']),
    r50Batch: Number(values['r50-batch']),
    skipR50: values['skip-r50'],
    skipSwav: values['skip-swav'],
  };
  if (values.worker !== undefined) {
    const [request] = parseBackends(values.worker);
    console.log(JSON.stringify(await measureBackend(request!, settings)));
    return;
  }
  const result = await runBackendBench({
    ...settings,
    backends: parseBackends(values.backends),
    rounds: Number(values.rounds),
    torch: !values['no-torch'],
  });
  console.log(`\n${formatBenchTable(result)}`);
  if (values.json) console.log(JSON.stringify(result, null, 2));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
