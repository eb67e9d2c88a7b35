import * as tf from '@tensorflow/tfjs-core';

export interface KnnInput {
  /** Row-major [nTrain, dim]. */
  trainFeatures: Float32Array;
  trainLabels: Int32Array;
  /** Row-major [nTest, dim]. */
  testFeatures: Float32Array;
  testLabels: Int32Array;
  dim: number;
  classes: number;
  /** Neighbours that vote (default 20). */
  k?: number;
  /** Test rows per similarity block, bounding memory at chunk × nTrain floats (default 256). */
  chunk?: number;
}

export interface KnnResult {
  accuracy: number;
  predictions: Int32Array;
}

function l2Rows(x: tf.Tensor2D): tf.Tensor2D {
  return tf.div(x, tf.maximum(tf.norm(x, 'euclidean', 1, true), 1e-12));
}

/** Majority vote of the neighbours' labels; ties go to the class with the larger summed similarity. */
function vote(labels: Int32Array, sims: Float32Array, classes: number): number {
  const counts = new Float64Array(classes);
  const simSum = new Float64Array(classes);
  labels.forEach((label, i) => {
    counts[label] = (counts[label] ?? 0) + 1;
    simSum[label] = (simSum[label] ?? 0) + (sims[i] ?? 0);
  });
  let best = 0;
  for (let c = 1; c < classes; c++) {
    const more = (counts[c] ?? 0) > (counts[best] ?? 0);
    const tie = counts[c] === counts[best] && (simSum[c] ?? 0) > (simSum[best] ?? 0);
    if (more || tie) best = c;
  }
  return best;
}

/**
 * k-nearest-neighbour classification by cosine similarity: a standard probe of feature quality with no
 * training at all (used to show self-supervised features beat random init).
 */
export function knnAccuracy(input: KnnInput): KnnResult {
  const nTrain = input.trainLabels.length;
  const nTest = input.testLabels.length;
  const k = Math.min(input.k ?? 20, nTrain);
  const chunk = input.chunk ?? 256;
  const predictions = new Int32Array(nTest);
  const train = tf.tidy(() => l2Rows(tf.tensor2d(input.trainFeatures, [nTrain, input.dim])));
  const trainLabels = tf.tensor1d(input.trainLabels, 'int32');
  for (let start = 0; start < nTest; start += chunk) {
    const rows = Math.min(chunk, nTest - start);
    tf.tidy(() => {
      const block = input.testFeatures.subarray(start * input.dim, (start + rows) * input.dim);
      const sims = tf.matMul(l2Rows(tf.tensor2d(block, [rows, input.dim])), train, false, true);
      const { values, indices } = tf.topk(sims, k);
      const labels = tf.gather(trainLabels, indices).dataSync() as Int32Array;
      const simValues = values.dataSync() as Float32Array;
      for (let r = 0; r < rows; r++) {
        predictions[start + r] = vote(
          labels.subarray(r * k, (r + 1) * k),
          simValues.subarray(r * k, (r + 1) * k),
          input.classes,
        );
      }
    });
  }
  train.dispose();
  trainLabels.dispose();
  let correct = 0;
  predictions.forEach((p, i) => {
    if (p === input.testLabels[i]) correct++;
  });
  return { accuracy: nTest > 0 ? correct / nTest : Number.NaN, predictions };
}
