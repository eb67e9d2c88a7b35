// tfjs-layers runs every Conv2D through tf.fused.conv2d, whose custom gradient computes the input
// and filter gradients together, wanted or not. A network's first conv gets the image, whose gradient
// nobody wants: one full backward-data convolution per step for nothing (~1 % of a SwAV step). A
// conv without bias and activation is exactly tf.conv2d, whose gradients tfjs only computes for
// inputs on the path to the variables, so those layers are routed through it (wrapping `call` on the
// class found through the serialization registry, as native-batch-norm-layer.ts does).
import * as tf from '@tensorflow/tfjs-core';

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

type LayerCall = (this: ConvLayerLike, inputs: tf.Tensor | tf.Tensor[], kwargs: object) => tf.Tensor;

const WRAPPED = Symbol.for('shelfssl.lazyConvGradient');

function conv2dPrototype(): ({ call: LayerCall } & { [WRAPPED]?: true }) | undefined {
  const entry = tf.serialization.SerializationMap.getMap().classNameMap['Conv2D'];
  return entry?.[0].prototype as ({ call: LayerCall } & { [WRAPPED]?: true }) | undefined;
}

function plainConv(layer: ConvLayerLike, inputs: tf.Tensor | tf.Tensor[]): tf.Tensor4D | undefined {
  const x = Array.isArray(inputs) ? (inputs.length === 1 ? inputs[0] : undefined) : inputs;
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
  const proto = conv2dPrototype();
  if (proto === undefined) return false;
  if (proto[WRAPPED]) return true;
  const original = proto.call;
  proto.call = function lazyGradientConvCall(this: ConvLayerLike, inputs, kwargs) {
    const x = plainConv(this, inputs);
    if (x === undefined) return original.call(this, inputs, kwargs);
    const kernel = this.kernel.read() as tf.Tensor4D;
    const strides = this.strides as [number, number];
    const dilations = this.dilationRate as number | [number, number];
    return tf.conv2d(x, kernel, strides, this.padding as 'same' | 'valid', 'NHWC', dilations);
  };
  proto[WRAPPED] = true;
  return true;
}
