// Runs bench/torch_reference.py in a fresh Debian python (python3-torch) per thread count, so
// each figure comes from a cold process like the tfjs ones.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TorchFigures {
  torch: string;
  threads: number;
  smallTrainImgPerSec: number;
  smallInferImgPerSec: number;
  resnet50InferImgPerSec: number | null;
  swavTrainImgPerSec: number | null;
}

export interface TorchRunOptions {
  threads: number;
  reps: number;
  r50Reps: number;
  smallBatch: number;
  r50Batch: number;
  skipR50: boolean;
  skipSwav?: boolean;
  python?: string;
}

/** Works from the TypeScript sources and from dist/bench alike (the .py is not compiled). */
function scriptPath(): string {
  const candidates = ['./torch_reference.py', '../../bench/torch_reference.py'].map((p) =>
    fileURLToPath(new URL(p, import.meta.url)),
  );
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`torch_reference.py not found in ${candidates.join(', ')}`);
  return found;
}

export async function runTorchReference(opts: TorchRunOptions): Promise<TorchFigures> {
  const args = [
    scriptPath(),
    '--threads',
    String(opts.threads),
    '--reps',
    String(opts.reps),
    '--r50-reps',
    String(opts.r50Reps),
    '--small-batch',
    String(opts.smallBatch),
    '--r50-batch',
    String(opts.r50Batch),
  ];
  if (opts.skipR50) args.push('--skip-r50');
  if (opts.skipSwav === true) args.push('--skip-swav');
  const { stdout } = await run(opts.python ?? '/usr/bin/python3', args, { maxBuffer: 1 << 20 });
  const lastLine = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(lastLine) as TorchFigures;
}
