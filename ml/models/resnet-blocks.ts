// Building blocks shared by the ResNet backbones. Every conv gets its own seed drawn from a
// counter, so a given (architecture, seed) always produces bit-identical initial weights.
import * as tfl from '@tensorflow/tfjs-layers';

type Symbolic = tfl.SymbolicTensor;

/** Hands out consecutive initializer seeds and readable, build-independent layer names. */
export class LayerFactory {
  private next = 0;

  constructor(private readonly seed: number) {}

  conv(name: string, filters: number, kernelSize: number, strides: number): tfl.layers.Layer {
    // +1: tfjs treats an initializer seed of 0 as "unseeded", which would make the first conv random per build.
    const seed = this.seed * 1000 + this.next++ + 1;
    return tfl.layers.conv2d({
      name,
      filters,
      kernelSize,
      strides,
      padding: 'same',
      useBias: false, // batch norm follows, a bias would be redundant
      kernelInitializer: tfl.initializers.heNormal({ seed }),
    });
  }

  /** PyTorch's BN constants (momentum 0.1 there = 0.9 here, eps 1e-5), matching the reference nets. */
  batchNorm(name: string): tfl.layers.Layer {
    return tfl.layers.batchNormalization({ name, momentum: 0.9, epsilon: 1e-5 });
  }
}

function apply(layer: tfl.layers.Layer, x: Symbolic | Symbolic[]): Symbolic {
  return layer.apply(x) as Symbolic;
}

export function convBnRelu(
  f: LayerFactory,
  x: Symbolic,
  name: string,
  filters: number,
  kernelSize: number,
  strides: number,
): Symbolic {
  const conv = apply(f.conv(`${name}_conv`, filters, kernelSize, strides), x);
  const bn = apply(f.batchNorm(`${name}_bn`), conv);
  return apply(tfl.layers.reLU({ name: `${name}_relu` }), bn);
}

function convBn(
  f: LayerFactory,
  x: Symbolic,
  name: string,
  filters: number,
  kernelSize: number,
  strides: number,
): Symbolic {
  return apply(f.batchNorm(`${name}_bn`), apply(f.conv(`${name}_conv`, filters, kernelSize, strides), x));
}

function channels(x: Symbolic): number {
  return x.shape[x.shape.length - 1] as number;
}

/** Identity, or a strided 1x1 projection when the block changes resolution or width. */
function shortcut(f: LayerFactory, x: Symbolic, name: string, filters: number, strides: number): Symbolic {
  if (strides === 1 && channels(x) === filters) return x;
  return convBn(f, x, `${name}_proj`, filters, 1, strides);
}

function addAndRelu(residual: Symbolic, skip: Symbolic, name: string): Symbolic {
  const sum = apply(tfl.layers.add({ name: `${name}_add` }), [residual, skip]);
  return apply(tfl.layers.reLU({ name: `${name}_out` }), sum);
}

/** ResNet-18/34 basic block: 3x3 -> 3x3, stride on the first conv. */
export function basicBlock(
  f: LayerFactory,
  x: Symbolic,
  name: string,
  filters: number,
  strides: number,
): Symbolic {
  const a = convBnRelu(f, x, `${name}_a`, filters, 3, strides);
  const b = convBn(f, a, `${name}_b`, filters, 3, 1);
  return addAndRelu(b, shortcut(f, x, name, filters, strides), name);
}

/** ResNet-50 bottleneck (v1.5: stride on the 3x3 conv, as torchvision), 4x expansion. */
export function bottleneckBlock(
  f: LayerFactory,
  x: Symbolic,
  name: string,
  width: number,
  strides: number,
): Symbolic {
  const a = convBnRelu(f, x, `${name}_a`, width, 1, 1);
  const b = convBnRelu(f, a, `${name}_b`, width, 3, strides);
  const c = convBn(f, b, `${name}_c`, width * 4, 1, 1);
  return addAndRelu(c, shortcut(f, x, name, width * 4, strides), name);
}

export function globalAveragePool(x: Symbolic): Symbolic {
  return apply(tfl.layers.globalAveragePooling2d({ name: 'pool' }), x);
}

export function maxPool3x3(x: Symbolic): Symbolic {
  return apply(tfl.layers.maxPooling2d({ name: 'stem_pool', poolSize: 3, strides: 2, padding: 'same' }), x);
}
