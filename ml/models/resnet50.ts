// Standard ImageNet ResNet-50 (7x7/2 stem, 3x3/2 max-pool, bottleneck stages [3,4,6,3]),
// 2048-d pooled output: the backbone SwAV's published weights use.
import * as tfl from '@tensorflow/tfjs-layers';
import { bottleneckBlock, convBnRelu, globalAveragePool, LayerFactory, maxPool3x3 } from './resnet-blocks.js';

export interface ResNet50Options {
  inputSize?: number;
  seed?: number;
}

const STAGE_WIDTHS = [64, 128, 256, 512];
const STAGE_BLOCKS = [3, 4, 6, 3];

export function buildResNet50(opts: ResNet50Options = {}): tfl.LayersModel {
  const inputSize = opts.inputSize ?? 224;
  const f = new LayerFactory(opts.seed ?? 0);
  const input = tfl.input({ shape: [inputSize, inputSize, 3], name: 'image' });
  let x = maxPool3x3(convBnRelu(f, input, 'stem', 64, 7, 2));
  STAGE_WIDTHS.forEach((width, stage) => {
    for (let b = 0; b < STAGE_BLOCKS[stage]!; b++) {
      const strides = stage > 0 && b === 0 ? 2 : 1;
      x = bottleneckBlock(f, x, `s${stage + 1}b${b + 1}`, width, strides);
    }
  });
  return tfl.model({ inputs: input, outputs: globalAveragePool(x), name: 'resnet50' });
}
