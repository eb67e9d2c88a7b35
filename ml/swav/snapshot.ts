import * as tf from '@tensorflow/tfjs-core';

/** A tensor's values copied out of the backend, with its shape: the unit of saved trainer state. */
export interface TensorSnapshot {
  shape: number[];
  values: Float32Array;
}

export function snapshotOf(tensor: tf.Tensor): TensorSnapshot {
  return { shape: [...tensor.shape], values: Float32Array.from(tensor.dataSync()) };
}

/** Overwrites a variable with saved values, refusing a shape mismatch (a different architecture). */
export function assignSnapshot(variable: tf.Variable, snapshot: TensorSnapshot, key: string): void {
  const same =
    snapshot.shape.length === variable.shape.length &&
    snapshot.shape.every((d, i) => d === variable.shape[i]);
  if (!same) {
    throw new Error(
      `state ${key}: shape ${JSON.stringify(snapshot.shape)} ≠ model ${JSON.stringify(variable.shape)}`,
    );
  }
  tf.tidy(() => variable.assign(tf.tensor(snapshot.values, snapshot.shape, 'float32')));
}
