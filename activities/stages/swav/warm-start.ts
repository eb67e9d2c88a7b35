import type { LayersModel } from '@tensorflow/tfjs-layers';
import { SwavParams, type SwavSettings } from '../../../ml/swav/index.js';
import { StageFailure } from '../../stage-runner.js';
import type { LoadedInput } from '../../stage-types.js';
import { loadFrozenBackbone } from '../support/frozen-backbone.js';

type WarmStart = NonNullable<SwavSettings['warmStart']>;

/** The warm-start schedule in force: the config's, else its defaults. */
export function warmSchedule(params: SwavSettings): WarmStart {
  return params.warmStart ?? SwavParams.shape.warmStart.unwrap().parse({});
}

/** A warm start trains on its own, shorter schedule in place of `epochs`, `lr` and `warmupEpochs`. */
export function withWarmSchedule(params: SwavSettings): SwavSettings {
  const w = warmSchedule(params);
  return { ...params, epochs: w.epochs, lr: w.lr, warmupEpochs: w.warmupEpochs };
}

/**
 * Copies the weights of the backbone artefact `init` into `backbone` (built from `swav.arch`); another
 * architecture fails the stage, naming both. Projection head and prototypes are not in a backbone artefact.
 */
export async function loadInitWeights(backbone: LayersModel, init: LoadedInput): Promise<void> {
  const from = await loadFrozenBackbone(init);
  try {
    backbone.setWeights(from.getWeights());
  } catch (err) {
    throw new StageFailure(
      `swav.initFrom: backbone ${init.ref.stage}/${init.ref.key} does not fit swav.arch (${(err as Error).message}); ` +
        'warm-start from a backbone of the same architecture',
    );
  } finally {
    from.dispose();
  }
}
