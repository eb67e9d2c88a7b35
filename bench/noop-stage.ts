import { z } from 'zod';
import { defineStage } from '../activities/stage-types.js';

/** A stage that does nothing but publish one tiny file: what is left of its run time is orchestration. */
export const noopStage = defineStage({
  module: import.meta.url,
  def: {
    name: 'bench-noop',
    description: 'publishes one byte (measures per-stage Temporal + MinIO overhead)',
    codeVersion: 1,
    params: z.strictObject({ i: z.number().int(), nonce: z.string() }),
    inputs: {},
    outputs: ['x'],
    queue: 'cpu',
    startToCloseTimeout: '1 minute',
  },
  async run(ctx) {
    await ctx.writer.putBuffer('x', Buffer.from([1]));
    return { metrics: {} };
  },
});
