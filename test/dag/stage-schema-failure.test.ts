import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { z } from 'zod';
import { defineStage } from '../../activities/stage-types.js';
import { startPipelineRun } from '../../cli/runs.js';
import { stageNode } from '../../pipelines/stage.js';
import { generateStage } from '../support/fake-stages.js';
import { activityAttempts } from '../support/history.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

/** Reads its input against a schema it does not fit, as the report stage did with metrics of empty heads. */
const strictReaderStage = defineStage({
  module: import.meta.url,
  def: {
    name: 't-strict-reader',
    description: 'parses values.json as metrics it is not',
    codeVersion: 1,
    params: z.strictObject({}),
    inputs: { src: 'values' },
    outputs: ['values.json'],
    queue: 'cpu',
    startToCloseTimeout: '1 minute',
    retry: { maximumAttempts: 5, initialInterval: '100 ms' },
  },
  async run(ctx) {
    const raw: unknown = JSON.parse((await ctx.inputs.src!.read('values.json')).toString('utf8'));
    z.object({ accuracy: z.number() }).parse(raw);
    await ctx.writer.putJson('values.json', raw);
    return { metrics: {} };
  },
});

describe('a stage whose own data fails a zod schema', () => {
  let w: RunningWorker;
  before(async () => {
    w = await startTestWorker('schema', [generateStage, strictReaderStage]);
  });
  after(async () => {
    await w.stop();
  });

  it('fails once, not five times, with the field and the rule instead of a raw issue list', async () => {
    const plan = {
      pipeline: 'schema-failure',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 2, offset: 919_191 }, {}),
        stageNode(strictReaderStage.def, 'read', {}, { src: 'gen' }),
      ],
    };
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      const message = String(err.cause?.message);
      assert.match(message, /read: .*stage t-strict-reader: data it read is invalid:\n {2}\(root\): /);
      assert.doesNotMatch(message, /"expected":|"path":/);
      return true;
    });
    assert.deepEqual(await activityAttempts(handle, 'stage.t-strict-reader'), [1]);
  });
});
