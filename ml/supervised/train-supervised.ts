// End-to-end supervised training of a backbone with a softmax classifier on top: the offline stand-in for
// an ImageNet-supervised ResNet (the paper's Exp 1), trained on source classes the target never labels.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { IMAGENET_NORMALIZATION } from '../models/extract-features.js';
import { mulberry32, permutation, type Rng } from '../random.js';

export interface SupervisedSettings {
  epochs: number;
  batchSize: number;
  /** Peak SGD learning rate (momentum 0.9), cosine-decayed per epoch. */
  lr: number;
  weightDecay: number;
  seed: number;
}

/** Square uint8 RGB crops (NHWC) with one class index each. */
export interface LabelledImages {
  pixels: Uint8Array;
  size: number;
  labels: Int32Array;
  classes: number;
}

export interface EpochStats {
  epoch: number;
  loss: number;
  accuracy: number;
}

/** The rows of `rows`, each mirrored left-right with probability ½: the one augmentation a 32 px crop keeps. */
function batchPixels(data: LabelledImages, rows: readonly number[], rng: Rng): Uint8Array {
  const s = data.size;
  const per = s * s * 3;
  const out = new Uint8Array(rows.length * per);
  rows.forEach((r, i) => {
    const src = data.pixels.subarray(r * per, (r + 1) * per);
    if (rng.next() < 0.5) {
      out.set(src, i * per);
      return;
    }
    for (let y = 0; y < s; y++)
      for (let x = 0; x < s; x++)
        for (let c = 0; c < 3; c++) out[i * per + (y * s + x) * 3 + c] = src[(y * s + (s - 1 - x)) * 3 + c]!;
  });
  return out;
}

/** Same normalisation as feature extraction, so the trunk sees at training what it sees when frozen. */
function normalised(pixels: Uint8Array, n: number, size: number): tf.Tensor4D {
  return tf.tidy(() => {
    const x = tf.tensor4d(pixels, [n, size, size, 3], 'float32');
    const mean = tf.tensor1d(IMAGENET_NORMALIZATION.mean.map((m) => m * 255));
    const std = tf.tensor1d(IMAGENET_NORMALIZATION.std.map((v) => v * 255));
    return tf.div(tf.sub(x, mean), std);
  });
}

function cosineLr(settings: SupervisedSettings, epoch: number): number {
  return 0.5 * settings.lr * (1 + Math.cos((Math.PI * epoch) / settings.epochs));
}

/**
 * Trains `backbone` (in place) with a linear softmax classifier on its pooled features; returns the
 * per-epoch training loss and accuracy. The classifier is thrown away: only the trunk is the product.
 */
export async function trainSupervised(
  backbone: tfl.LayersModel,
  data: LabelledImages,
  settings: SupervisedSettings,
  onStep?: (step: number, total: number, epoch: number) => void,
): Promise<EpochStats[]> {
  const n = data.labels.length;
  if (n < settings.batchSize) throw new Error(`${n} labelled crops < batchSize ${settings.batchSize}`);
  const features = backbone.outputs[0]!;
  const logits = tfl.layers
    .dense({
      units: data.classes,
      activation: 'softmax',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: settings.seed }),
      kernelRegularizer: tfl.regularizers.l2({ l2: settings.weightDecay }),
    })
    .apply(features) as tfl.SymbolicTensor;
  const classifier = tfl.model({ inputs: backbone.inputs, outputs: logits });
  const rng = mulberry32(settings.seed);
  const stepsPerEpoch = Math.floor(n / settings.batchSize);
  const history: EpochStats[] = [];
  for (let epoch = 0; epoch < settings.epochs; epoch++) {
    // A fresh optimiser per epoch carries the cosine schedule (tfjs optimisers keep their rate private).
    classifier.compile({
      optimizer: tf.train.momentum(cosineLr(settings, epoch), 0.9),
      loss: 'categoricalCrossentropy',
      metrics: ['accuracy'],
    });
    const order = permutation(n, rng);
    let loss = 0;
    let accuracy = 0;
    for (let step = 0; step < stepsPerEpoch; step++) {
      const rows = order.slice(step * settings.batchSize, (step + 1) * settings.batchSize);
      const x = normalised(batchPixels(data, rows, rng), rows.length, data.size);
      const y = tf.tidy(() =>
        tf.cast(
          tf.oneHot(
            tf.tensor1d(
              rows.map((r) => data.labels[r]!),
              'int32',
            ),
            data.classes,
          ),
          'float32',
        ),
      );
      const [l, a] = (await classifier.trainOnBatch(x, y)) as number[];
      tf.dispose([x, y]);
      loss += l ?? Number.NaN;
      accuracy += a ?? Number.NaN;
      onStep?.(epoch * stepsPerEpoch + step + 1, settings.epochs * stepsPerEpoch, epoch);
    }
    history.push({ epoch: epoch + 1, loss: loss / stepsPerEpoch, accuracy: accuracy / stepsPerEpoch });
  }
  return history;
}
