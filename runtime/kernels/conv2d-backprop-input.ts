// The stock wasm Conv2DBackpropInput is a naive loop (11 s of a 20 s training step measured here).
// dx is the full correlation of the stride-dilated output gradient with the spatially flipped,
// in/out-swapped filter, i.e. an ordinary stride-1 Conv2D that XNNPACK runs fast.
import type { Conv2DBackpropInputAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { type ConvGeometry, convGeometry, isChannelsLast } from './conv-geometry.js';
import { callKernel, disposeInfos, reshapeView, wasmKernel } from './wasm-kernel-calls.js';

type Shape4 = [number, number, number, number];

export function conv2dBackpropInputViaConv2D(fallback: KernelFunc | undefined): KernelConfig {
  const transpose = wasmKernel('Transpose');
  const reverse = wasmKernel('Reverse');
  const padV2 = wasmKernel('PadV2');
  const slice = wasmKernel('Slice');
  const conv2d = wasmKernel('Conv2D');

  /** Inserts stride-1 zeros after every dy row/column (trailing ones included): [b, oh*sh, ow*sw, co]. */
  function dilateByStride(dy: TensorInfo, g: ConvGeometry, backend: object): TensorInfo {
    const view = reshapeView(dy, [g.batch * g.outHeight, 1, g.outWidth, 1, g.outChannels]);
    const padded = callKernel(
      padV2,
      backend,
      { x: view },
      {
        paddings: [
          [0, 0],
          [0, g.strideHeight - 1],
          [0, 0],
          [0, g.strideWidth - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    return reshapeView(padded, [
      g.batch,
      g.outHeight * g.strideHeight,
      g.outWidth * g.strideWidth,
      g.outChannels,
    ]);
  }

  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const dy = inputs['dy']!;
    const filter = inputs['filter']!;
    const a = attrs as unknown as Conv2DBackpropInputAttrs;
    if (!isChannelsLast(a.dataFormat)) {
      if (fallback === undefined) throw new Error('Conv2DBackpropInput on wasm supports NHWC only');
      return fallback({ inputs, backend, attrs });
    }
    const g = convGeometry(a.inputShape, filter.shape as Shape4, a.strides, a.pad, a.dimRoundingMode);
    const strided = g.strideHeight > 1 || g.strideWidth > 1;
    const dilated = strided ? dilateByStride(dy, g, backend) : dy;
    const dilatedH = dilated.shape[1]!;
    const dilatedW = dilated.shape[2]!;

    // Full-correlation padding; negative amounts mean rows that reach no dx entry: crop them.
    const top = g.filterHeight - 1 - g.padTop;
    const left = g.filterWidth - 1 - g.padLeft;
    const bottom = g.inHeight + g.filterHeight - 1 - top - dilatedH;
    const right = g.inWidth + g.filterWidth - 1 - left - dilatedW;
    const cropTop = Math.max(-top, 0);
    const cropLeft = Math.max(-left, 0);
    const needsCrop = top < 0 || left < 0 || bottom < 0 || right < 0;
    const convIn = needsCrop
      ? callKernel(
          slice,
          backend,
          { x: dilated },
          {
            begin: [0, cropTop, cropLeft, 0],
            size: [
              g.batch,
              dilatedH - cropTop - Math.max(-bottom, 0),
              dilatedW - cropLeft - Math.max(-right, 0),
              g.outChannels,
            ],
          },
        )
      : dilated;

    const flipped = callKernel(reverse, backend, { x: filter }, { dims: [0, 1] });
    const swapped = callKernel(transpose, backend, { x: flipped }, { perm: [0, 1, 3, 2] });
    const out = callKernel(
      conv2d,
      backend,
      { x: convIn, filter: swapped },
      {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [
          [0, 0],
          [Math.max(top, 0), Math.max(bottom, 0)],
          [Math.max(left, 0), Math.max(right, 0)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    const temporaries: TensorInfo[] = [flipped, swapped];
    if (strided) temporaries.push(dilated);
    if (needsCrop) temporaries.push(convIn);
    disposeInfos(backend, ...temporaries);
    return out;
  };
  return { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc };
}
