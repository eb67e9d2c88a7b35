// Throughput of the chosen TensorFlow.js backend on the two backbones the pipeline uses, next
// to PyTorch on the same machine: `node dist/bench/backend.js --reps 3`.
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { type BackendInfo, type BackendName, initBackend } from '../ml/backend/index.js';
import { buildResNet50, buildSmallResNet } from '../ml/models/index.js';
import { formatBenchTable } from './backend-table.js';
import { runTorchReference, type TorchFigures } from './backend-torch.js';

export interface BenchOptions {
  reps?: number;
  r50Reps?: number;
  smallBatch?: number;
  r50Batch?: number;
  skipR50?: boolean;
  torch?: boolean;
  prefer?: BackendName;
  log?: (line: string) => void;
}

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  node: string;
}

export interface TfjsFigures {
  smallTrainImgPerSec: number;
  smallInferImgPerSec: number;
  resnet50InferImgPerSec: number | null;
}

export interface BenchResult {
  machine: MachineInfo;
  backend: BackendInfo;
  settings: { reps: number; r50Reps: number; smallBatch: number; r50Batch: number };
  tfjs: TfjsFigures;
  torch: TorchFigures[];
  torchError?: string;
}

const CLASSES = 10;

function machineInfo(): MachineInfo {
  return {
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memoryGiB: os.totalmem() / 2 ** 30,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One warm-up (kernel setup, XNNPACK operator creation), then the median of `reps` timed runs. */
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

function inferenceStep(model: tfl.LayersModel, batch: tf.Tensor): () => Promise<void> {
  return async () => {
    const out = model.predict(batch) as tf.Tensor;
    await out.data();
    out.dispose();
  };
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
  const batch = tf.randomNormal([batchSize, 32, 32, 3], 0, 1, 'float32', 2);
  const labels = tf.oneHot(tf.randomUniform([batchSize], 0, CLASSES, 'int32', 3) as tf.Tensor1D, CLASSES);
  const training = trainStep(model, batch, labels);
  const train = await medianSeconds(reps, training.step);
  training.dispose();
  const infer = await medianSeconds(reps, inferenceStep(model, batch));
  tf.dispose([batch, labels]);
  model.dispose();
  return [batchSize / train, batchSize / infer];
}

async function benchResNet50(reps: number, batchSize: number): Promise<number> {
  const model = buildResNet50({ seed: 0 });
  const batch = tf.randomNormal([batchSize, 224, 224, 3], 0, 1, 'float32', 4);
  const seconds = await medianSeconds(reps, inferenceStep(model, batch));
  batch.dispose();
  model.dispose();
  return batchSize / seconds;
}

async function torchFigures(
  settings: BenchResult['settings'],
  skipR50: boolean,
  log: (line: string) => void,
): Promise<{ torch: TorchFigures[]; torchError?: string }> {
  const torch: TorchFigures[] = [];
  try {
    for (const threads of [1, 2]) {
      log(`[bench] PyTorch, ${threads} thread(s)...`);
      torch.push(await runTorchReference({ ...settings, threads, skipR50 }));
    }
    return { torch };
  } catch (error) {
    return { torch, torchError: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

export async function runBackendBench(opts: BenchOptions = {}): Promise<BenchResult> {
  const log = opts.log ?? console.log;
  const settings = {
    reps: opts.reps ?? 5,
    r50Reps: opts.r50Reps ?? 2,
    smallBatch: opts.smallBatch ?? 64,
    r50Batch: opts.r50Batch ?? 8,
  };
  const backend = await initBackend({ prefer: opts.prefer ?? 'tensorflow', log });
  log(`[bench] small ResNet train + inference, batch ${settings.smallBatch}...`);
  const [smallTrainImgPerSec, smallInferImgPerSec] = await benchSmallResNet(
    settings.reps,
    settings.smallBatch,
  );
  let resnet50InferImgPerSec: number | null = null;
  if (opts.skipR50 !== true) {
    log(`[bench] ResNet-50 inference, batch ${settings.r50Batch}...`);
    resnet50InferImgPerSec = await benchResNet50(settings.r50Reps, settings.r50Batch);
  }
  const reference =
    opts.torch === false ? { torch: [] } : await torchFigures(settings, opts.skipR50 === true, log);
  return {
    machine: machineInfo(),
    backend,
    settings,
    tfjs: { smallTrainImgPerSec, smallInferImgPerSec, resnet50InferImgPerSec },
    ...reference,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      reps: { type: 'string', default: '5' },
      'r50-reps': { type: 'string', default: '2' },
      'small-batch': { type: 'string', default: '64' },
      'r50-batch': { type: 'string', default: '8' },
      'skip-r50': { type: 'boolean', default: false },
      'no-torch': { type: 'boolean', default: false },
      prefer: { type: 'string', default: 'tensorflow' },
      json: { type: 'boolean', default: false },
    },
  });
  const result = await runBackendBench({
    reps: Number(values.reps),
    r50Reps: Number(values['r50-reps']),
    smallBatch: Number(values['small-batch']),
    r50Batch: Number(values['r50-batch']),
    skipR50: values['skip-r50'],
    torch: !values['no-torch'],
    prefer: values.prefer as BackendName,
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
