// ResNet-18 layout for small inputs (32-96 px crops): 3x3 stride-1 stem and no max-pool, as in the
// CIFAR variants, so a 32 px image still reaches the last stage at 4x4.
import * as tfl from '@tensorflow/tfjs-layers';
import { basicBlock, convBnRelu, globalAveragePool, LayerFactory } from './resnet-blocks.js';

export interface SmallResNetOptions {
  inputSize?: number;
  /** Channels per stage; the feature dimension is the last one. */
  widths?: number[];
  blocksPerStage?: number[];
  /** Seeds the weight initialisers: same seed, same weights. */
  seed?: number;
  inputChannels?: number;
}

export function buildSmallResNet(opts: SmallResNetOptions = {}): tfl.LayersModel {
  const inputSize = opts.inputSize ?? 32;
  const widths = opts.widths ?? [32, 64, 128, 256];
  const blocks = opts.blocksPerStage ?? [2, 2, 2, 2];
  if (widths.length !== blocks.length) throw new Error('widths and blocksPerStage must have equal length');
  const f = new LayerFactory(opts.seed ?? 0);
  const input = tfl.input({ shape: [inputSize, inputSize, opts.inputChannels ?? 3], name: 'image' });
  let x = convBnRelu(f, input, 'stem', widths[0]!, 3, 1);
  widths.forEach((width, stage) => {
    for (let b = 0; b < blocks[stage]!; b++) {
      const strides = stage > 0 && b === 0 ? 2 : 1;
      x = basicBlock(f, x, `s${stage + 1}b${b + 1}`, width, strides);
    }
  });
  return tfl.model({ inputs: input, outputs: globalAveragePool(x), name: 'small_resnet' });
}
