import type { LayersModel } from '@tensorflow/tfjs-layers';
import { loadBackboneFromMemory } from '../../../ml/models/index.js';
import type { LoadedInput } from '../../stage-types.js';

/** A backbone artefact (`model.json` + `weights.bin`, as backbone, pretrain and imports publish it) as a model. */
export async function loadFrozenBackbone(input: LoadedInput): Promise<LayersModel> {
  const modelJson = (await input.read('model.json')).toString('utf8');
  const weights = new Uint8Array(await input.read('weights.bin'));
  return await loadBackboneFromMemory({ modelJson, weights });
}
