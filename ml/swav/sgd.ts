import * as tf from '@tensorflow/tfjs-core';
import type { TensorSnapshot } from './snapshot.js';
import { snapshotOf } from './snapshot.js';

/**
 * SGD with momentum and L2 weight decay, PyTorch semantics (g ← g + wd·w; v ← μ·v + g; w ← w − lr·v).
 * Written out rather than using tf.train.momentum so the momentum buffers can be saved, restored and
 * keyed by stable weight names. A weight absent from a step's gradients is left entirely alone (no decay,
 * no momentum), which is how SwAV freezes its prototypes early on.
 */
export class MomentumSgd {
  private readonly buffers = new Map<string, tf.Variable>();

  constructor(
    readonly momentum: number,
    readonly weightDecay: number,
  ) {}

  apply(updates: ReadonlyArray<{ key: string; variable: tf.Variable; grad: tf.Tensor }>, lr: number): void {
    tf.tidy(() => {
      for (const { key, variable, grad } of updates) {
        const decayed = this.weightDecay > 0 ? tf.add(grad, tf.mul(variable, this.weightDecay)) : grad;
        const buffer = this.bufferFor(key, variable);
        buffer.assign(tf.add(tf.mul(buffer, this.momentum), decayed));
        variable.assign(tf.sub(variable, tf.mul(buffer, lr)));
      }
    });
  }

  private bufferFor(key: string, variable: tf.Variable): tf.Variable {
    let buffer = this.buffers.get(key);
    if (!buffer) {
      buffer = tf.variable(tf.zerosLike(variable), false);
      this.buffers.set(key, buffer);
    }
    return buffer;
  }

  getState(): Record<string, TensorSnapshot> {
    const out: Record<string, TensorSnapshot> = {};
    for (const [key, buffer] of this.buffers) out[key] = snapshotOf(buffer);
    return out;
  }

  setState(state: Record<string, TensorSnapshot>): void {
    this.dispose();
    for (const [key, snap] of Object.entries(state)) {
      this.buffers.set(key, tf.variable(tf.tensor(snap.values, snap.shape), false));
    }
  }

  dispose(): void {
    for (const buffer of this.buffers.values()) buffer.dispose();
    this.buffers.clear();
  }
}
