// Conv2DBackpropFilter is missing from tfjs-backend-wasm, so training any conv net there fails.
// dW[kh,kw,ci,co] = sum_{b,oh,ow} x[b, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[b,oh,ow,co], which is itself
// a stride-1 convolution: treat x transposed to [ci,H,W,b] as the input batch, dy transposed to
// [oh,ow,b,co] as the filter, and dilate that filter by the forward stride. The result is
// [ci,KH,KW,co]; one more transpose gives the HWIO filter gradient. XNNPACK runs all of it.
import type { Conv2DBackpropFilterAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { convGeometry, isChannelsLast } from './conv-geometry.js';
import { callKernel, disposeInfos, wasmKernel } from './wasm-kernel-calls.js';

type Shape4 = [number, number, number, number];

export function conv2dBackpropFilterViaConv2D(fallback: KernelFunc | undefined): KernelConfig {
  const transpose = wasmKernel('Transpose');
  const slice = wasmKernel('Slice');
  const conv2d = wasmKernel('Conv2D');

  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const x = inputs['x']!;
    const dy = inputs['dy']!;
    const a = attrs as unknown as Conv2DBackpropFilterAttrs;
    if (!isChannelsLast(a.dataFormat)) {
      if (fallback === undefined) throw new Error('Conv2DBackpropFilter on wasm supports NHWC only');
      return fallback({ inputs, backend, attrs });
    }
    const g = convGeometry(x.shape as Shape4, a.filterShape, a.strides, a.pad, a.dimRoundingMode);
    // Bottom/right padding that makes the correlation produce exactly KH x KW outputs; negative
    // means trailing input rows never meet the filter (valid padding with a stride) and are cropped.
    const padBottom = g.filterHeight + g.strideHeight * (g.outHeight - 1) - g.inHeight - g.padTop;
    const padRight = g.filterWidth + g.strideWidth * (g.outWidth - 1) - g.inWidth - g.padLeft;

    const xT = callKernel(transpose, backend, { x }, { perm: [3, 1, 2, 0] });
    const needsCrop = padBottom < 0 || padRight < 0;
    const xIn = needsCrop
      ? callKernel(
          slice,
          backend,
          { x: xT },
          {
            begin: [0, 0, 0, 0],
            size: [
              g.inChannels,
              g.inHeight + Math.min(padBottom, 0),
              g.inWidth + Math.min(padRight, 0),
              g.batch,
            ],
          },
        )
      : xT;
    const dyT = callKernel(transpose, backend, { x: dy }, { perm: [1, 2, 0, 3] });
    const grad = callKernel(
      conv2d,
      backend,
      { x: xIn, filter: dyT },
      {
        strides: [1, 1],
        dilations: [g.strideHeight, g.strideWidth],
        pad: [
          [0, 0],
          [g.padTop, Math.max(padBottom, 0)],
          [g.padLeft, Math.max(padRight, 0)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
    );
    const out = callKernel(transpose, backend, { x: grad }, { perm: [1, 2, 0, 3] });
    const temporaries: TensorInfo[] = [xT, dyT, grad];
    if (needsCrop) temporaries.push(xIn);
    disposeInfos(backend, ...temporaries);
    return out;
  };
  return { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc };
}
