// tfjs-layers runs every Conv2D through tf.fused.conv2d, whose custom gradient computes the input
// and filter gradients together, wanted or not. A network's first conv gets the image, whose gradient
// nobody wants: one full backward-data convolution per step for nothing (~1 % of a SwAV step). A
// conv without bias and activation is exactly tf.conv2d, whose gradients tfjs only computes for
// inputs on the path to the variables, so those layers are routed through it (layer-call-route.ts).
import * as tf from '@tensorflow/tfjs-core';
import { routeLayerCall, singleInput } from './layer-call-route.js';

/** The fields of tfjs-layers' Conv2D that decide the route (stable since tfjs 1.x). */
interface ConvLayerLike {
  rank: number;
  bias: unknown;
  activation: { getClassName(): string } | null;
  dataFormat: string;
  padding: string;
  strides: number[];
  dilationRate: number | number[];
  kernel: { read(): tf.Tensor };
}

function plainConv(layer: ConvLayerLike, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor4D | undefined {
  const x = singleInput(inputs);
  const plain =
    layer.rank === 2 &&
    layer.bias == null &&
    (layer.activation === null || layer.activation.getClassName() === 'linear') &&
    layer.dataFormat === 'channelsLast' &&
    (layer.padding === 'same' || layer.padding === 'valid') &&
    x?.rank === 4;
  return plain ? (x as tf.Tensor4D) : undefined;
}

/** Idempotent; returns false when tfjs-layers' Conv2D is not registered. */
export function routePlainConvThroughConv2d(): boolean {
  return routeLayerCall<ConvLayerLike>(
    'Conv2D',
    Symbol.for('shelfssl.lazyConvGradient'),
    (original) =>
      function lazyGradientConvCall(inputs, kwargs) {
        const x = plainConv(this, inputs);
        if (x === undefined) return original.call(this, inputs, kwargs);
        const kernel = this.kernel.read() as tf.Tensor4D;
        const strides = this.strides as [number, number];
        const dilations = this.dilationRate as number | [number, number];
        return tf.conv2d(x, kernel, strides, this.padding as 'same' | 'valid', 'NHWC', dilations);
      },
  );
}
