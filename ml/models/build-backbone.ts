import type * as tfl from '@tensorflow/tfjs-layers';
import type { BackboneSpec } from './backbone-spec.js';
import { buildResNet50 } from './resnet50.js';
import { buildSmallResNet } from './small-resnet.js';

/** Builds a freshly initialised backbone; imported ones must be loaded with loadBackbone. */
export function buildBackbone(spec: BackboneSpec): tfl.LayersModel {
  switch (spec.kind) {
    case 'small-resnet':
      return buildSmallResNet(spec);
    case 'resnet50':
      return buildResNet50(spec);
    case 'imported':
      throw new Error(`imported backbone ${spec.modelKey} must be loaded with loadBackbone, not built`);
  }
}
