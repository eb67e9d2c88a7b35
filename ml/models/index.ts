export {
  backboneHandlerFromMemory,
  loadBackbone,
  loadBackboneFromMemory,
  type SerializedBackbone,
  saveBackboneToMemory,
  WEIGHTS_FILE_NAME,
} from './backbone-io.js';
export {
  BackboneSpec,
  featureDimOf,
  ImportedBackboneSpec,
  ResNet50Spec,
  SmallResNetSpec,
} from './backbone-spec.js';
export { buildBackbone } from './build-backbone.js';
export {
  type BatchProgress,
  extractFeatures,
  IMAGENET_NORMALIZATION,
  type Normalization,
} from './extract-features.js';
export { buildResNet50, type ResNet50Options } from './resnet50.js';
export { buildSmallResNet, type SmallResNetOptions } from './small-resnet.js';
