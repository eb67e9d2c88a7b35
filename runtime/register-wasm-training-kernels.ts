// Installs the replacement training kernels on the wasm backend. Must run after the wasm
// backend has initialised: the stock kernels we keep as fallbacks need their setupFunc (cwrap)
// to have run, which only happens when the backend is first set.
import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { routePlainConvThroughConv2d } from './kernels/conv-layer-lazy-gradient.js';
import { conv2dBackpropFilterViaConv2D } from './kernels/conv2d-backprop-filter.js';
import { conv2dBackpropInputViaConv2D } from './kernels/conv2d-backprop-input.js';
import { tileViaBroadcast } from './kernels/tile-via-broadcast.js';

const REPLACED = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'Tile'] as const;
const installed = new Set<string>();

function replaceKernel(config: KernelConfig): void {
  if (getKernel(config.kernelName, 'wasm') !== undefined) unregisterKernel(config.kernelName, 'wasm');
  registerKernel(config);
  installed.add(config.kernelName);
}

/** Idempotent: a second call keeps the first replacements (and their captured fallbacks). */
export function registerWasmTrainingKernels(): readonly string[] {
  routePlainConvThroughConv2d();
  if (installed.size === REPLACED.length) return REPLACED;
  const stockFilter = getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc;
  const stockInput = getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc;
  const stockTile = getKernel('Tile', 'wasm')?.kernelFunc;
  replaceKernel(conv2dBackpropFilterViaConv2D(stockFilter));
  replaceKernel(conv2dBackpropInputViaConv2D(stockInput));
  if (stockTile !== undefined) replaceKernel(tileViaBroadcast(stockTile));
  return REPLACED;
}
