// The stock wasm Tile (used by the batch-norm gradient) walks the output element by element;
// a broadcast Add of x onto zeros is ~60x faster here. Tiling x of shape s by reps r equals
// broadcasting x viewed as [1, s0, 1, s1, ...] onto [r0, s0, r1, s1, ...] and flattening pairs.
import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { callKernel, disposeInfos, reshapeView, wasmKernel } from './wasm-kernel-calls.js';

/** XNNPACK's binary kernels accept at most 6 dimensions. */
const MAX_BROADCAST_RANK = 6;

export interface TilePlan {
  /** Shape x is viewed as (1 where it is repeated). */
  source: number[];
  /** Shape of the broadcast result before flattening back to the tiled shape. */
  target: number[];
}

/**
 * Interleaves (rep, size) pairs, drops unit dimensions and merges neighbours of the same kind
 * so the broadcast stays within XNNPACK's rank limit for the usual batch-norm cases.
 */
export function planTile(shape: readonly number[], reps: readonly number[]): TilePlan {
  const source: number[] = [];
  const target: number[] = [];
  let lastKind: 'repeat' | 'copy' | undefined;
  const push = (kind: 'repeat' | 'copy', size: number): void => {
    if (size === 1) return;
    if (kind === lastKind) {
      target[target.length - 1]! *= size;
      if (kind === 'copy') source[source.length - 1]! *= size;
      return;
    }
    target.push(size);
    source.push(kind === 'copy' ? size : 1);
    lastKind = kind;
  };
  shape.forEach((size, i) => {
    push('repeat', reps[i] ?? 1);
    push('copy', size);
  });
  return { source, target };
}

export function tileViaBroadcast(fallback: KernelFunc): KernelConfig {
  const fill = wasmKernel('Fill');
  const add = wasmKernel('Add');

  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const x = inputs['x']!;
    const reps = (attrs as { reps: number[] }).reps;
    const plan = planTile(x.shape, reps);
    if (x.dtype !== 'float32' || plan.target.length > MAX_BROADCAST_RANK || plan.target.length === 0) {
      return fallback({ inputs, backend, attrs });
    }
    const outShape = x.shape.map((size, i) => size * (reps[i] ?? 1));
    const zeros = callKernel(fill, backend, {}, { shape: plan.target, value: 0, dtype: 'float32' });
    const sum: TensorInfo = callKernel(add, backend, { a: zeros, b: reshapeView(x, plan.source) }, {});
    disposeInfos(backend, zeros);
    util.assert(util.sizeFromShape(sum.shape) === util.sizeFromShape(outShape), () => 'tile size mismatch');
    return reshapeView(sum, outShape);
  };
  return { kernelName: 'Tile', backendName: 'wasm', kernelFunc };
}
