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
  /** μ and λ as tensors made once: a JS number becomes a fresh tensor on every op. */
  private constants: { momentum: tf.Scalar; weightDecay: tf.Scalar } | undefined;

  constructor(
    readonly momentum: number,
    readonly weightDecay: number,
  ) {}

  apply(updates: ReadonlyArray<{ key: string; variable: tf.Variable; grad: tf.Tensor }>, lr: number): void {
    const { momentum, weightDecay } = this.constantTensors();
    tf.tidy(() => {
      const rate = tf.scalar(lr);
      for (const { key, variable, grad } of updates) {
        const buffer = this.bufferFor(key, variable);
        // v ← μ·v + g + λ·w as one AddN, one op fewer per weight than adding pairwise.
        const terms = [tf.mul(buffer, momentum), grad];
        if (this.weightDecay > 0) terms.push(tf.mul(variable, weightDecay));
        buffer.assign(tf.addN(terms));
        variable.assign(tf.sub(variable, tf.mul(buffer, rate)));
      }
    });
  }

  private constantTensors(): { momentum: tf.Scalar; weightDecay: tf.Scalar } {
    this.constants ??= {
      momentum: tf.keep(tf.scalar(this.momentum)),
      weightDecay: tf.keep(tf.scalar(this.weightDecay)),
    };
    return this.constants;
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
    if (this.constants) tf.dispose([this.constants.momentum, this.constants.weightDecay]);
    this.constants = undefined;
  }
}
