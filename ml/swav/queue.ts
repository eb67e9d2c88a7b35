import * as tf from '@tensorflow/tfjs-core';

export interface EmbeddingQueueState {
  length: number;
  dim: number;
  /** One FIFO per global crop, newest embeddings first, [length, dim] row-major. */
  rows: Float32Array[];
  /** Set once a queue has been completely filled; from then on it feeds the Sinkhorn step. */
  inUse: boolean;
}

/**
 * SwAV's feature queue: past global-crop embeddings whose prototype scores are stacked on top of the
 * batch's before Sinkhorn, so equipartition is enforced over more samples than a small batch holds.
 * Like the reference code it only takes part once it is full (its last row is non-zero).
 */
export class EmbeddingQueue {
  constructor(private readonly state: EmbeddingQueueState) {}

  static empty(crops: number, length: number, dim: number): EmbeddingQueue {
    return new EmbeddingQueue({
      length,
      dim,
      rows: Array.from({ length: crops }, () => new Float32Array(length * dim)),
      inUse: false,
    });
  }

  static fromState(state: EmbeddingQueueState): EmbeddingQueue {
    return new EmbeddingQueue({ ...state, rows: state.rows.map((r) => Float32Array.from(r)) });
  }

  get ready(): boolean {
    if (this.state.inUse) return true;
    const last = this.state.rows[0]?.subarray((this.state.length - 1) * this.state.dim);
    return last?.some((v) => v !== 0) ?? false;
  }

  /** The queued embeddings of one crop as a tensor [length, dim]. */
  embeddings(crop: number): tf.Tensor2D {
    return tf.tensor2d(this.rowsOf(crop), [this.state.length, this.state.dim]);
  }

  /** Pushes a batch of embeddings [b, dim] (row-major) to the front, dropping the oldest. */
  push(crop: number, batch: Float32Array): void {
    const rows = this.rowsOf(crop);
    const keep = Math.max(0, rows.length - batch.length);
    rows.copyWithin(batch.length, 0, keep);
    rows.set(batch.subarray(0, Math.min(batch.length, rows.length)), 0);
  }

  markUsed(): void {
    this.state.inUse = true;
  }

  getState(): EmbeddingQueueState {
    return { ...this.state, rows: this.state.rows.map((r) => Float32Array.from(r)) };
  }

  private rowsOf(crop: number): Float32Array {
    const rows = this.state.rows[crop];
    if (!rows) throw new Error(`queue has no crop ${crop}`);
    return rows;
  }
}
