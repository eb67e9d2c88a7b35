// One SwAV optimiser step on pre-made views, built from the same pieces as SwavTrainer (embed,
// prototype scores, Sinkhorn codes on the detached global-crop scores, swapped-prediction loss,
// momentum SGD). Augmentation is left out on purpose: PyTorch's SwAV does it in data-loader
// workers, and bench/torch_reference.py times the same compute-only step.
import * as tf from '@tensorflow/tfjs-core';
import { buildSmallResNet } from '../ml/models/index.js';
import { createSwavModel, MomentumSgd, SwavParams, sinkhornKnopp, swavLoss } from '../ml/swav/index.js';

/** The pipeline's SwAV defaults (ml/swav/params.ts) on the small ResNet. */
export interface SwavBenchConfig {
  batch: number;
  globalCrop: number;
  localCrop: number;
  localCount: number;
  projHidden: number;
  projOut: number;
  prototypes: number;
}

export const SWAV_BENCH_DEFAULTS: SwavBenchConfig = {
  batch: 64,
  globalCrop: 32,
  localCrop: 16,
  localCount: 2,
  projHidden: 256,
  projOut: 64,
  prototypes: 64,
};

const GLOBAL_VIEWS = 2;

function randomViews(config: SwavBenchConfig): tf.Tensor4D[] {
  const view = (size: number, seed: number) =>
    tf.randomNormal([config.batch, size, size, 3], 0, 1, 'float32', seed) as tf.Tensor4D;
  const views: tf.Tensor4D[] = [];
  for (let i = 0; i < GLOBAL_VIEWS; i++) views.push(view(config.globalCrop, 10 + i));
  for (let i = 0; i < config.localCount; i++) views.push(view(config.localCrop, 20 + i));
  return views;
}

function detach(t: tf.Tensor2D): tf.Tensor2D {
  return tf.tensor2d(t.dataSync() as Float32Array, t.shape);
}

export interface SwavBench {
  step: () => Promise<void>;
  dispose: () => void;
  imagesPerStep: number;
}

export function swavBench(config: SwavBenchConfig = SWAV_BENCH_DEFAULTS): SwavBench {
  const backbone = buildSmallResNet({ seed: 0, inputSize: config.globalCrop });
  const model = createSwavModel(backbone, { ...config, seed: 1 });
  const swav = SwavParams.parse({ arch: { kind: 'small-resnet' } });
  const sgd = new MomentumSgd(swav.momentum, swav.weightDecay);
  const sinkhorn = { epsilon: swav.epsilon, iterations: swav.sinkhornIterations };
  const views = randomViews(config);
  const trainable = model.weights.filter((w) => w.trainable);
  const lossOf = (): tf.Scalar => {
    const scores = tf.split(model.score(model.embed(views)), views.length, 0) as tf.Tensor2D[];
    const codes = scores.slice(0, GLOBAL_VIEWS).map((s) => sinkhornKnopp(detach(s), sinkhorn));
    return swavLoss(scores, codes, swav.temperature);
  };
  const step = async () => {
    model.normalizePrototypes();
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        lossOf,
        trainable.map((w) => w.variable),
      );
      const updates = trainable.flatMap((w) => {
        const grad = grads[w.variable.name];
        return grad ? [{ key: w.key, variable: w.variable, grad }] : [];
      });
      sgd.apply(updates, 0.1);
      return value;
    });
    await loss.data();
    loss.dispose();
  };
  const dispose = () => {
    sgd.dispose();
    model.dispose();
    backbone.dispose();
    tf.dispose(views);
  };
  return { step, dispose, imagesPerStep: config.batch };
}
