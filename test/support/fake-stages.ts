import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { StageFailure } from '../../activities/stage-runner.js';
import { defineStage, type StageImpl } from '../../activities/stage-types.js';
import type { StageDef } from '../../pipelines/stage.js';

/** Every stage body execution, in order, so tests can assert what ran (the worker runs in-process). */
export const executions: { stage: string; nodeId: string; start: number; end: number }[] = [];

function def<P extends z.ZodType>(name: string, params: P, inputs: Record<string, string>): StageDef<P> {
  return {
    name,
    description: `test stage ${name}`,
    codeVersion: 1,
    params,
    inputs,
    outputs: ['values.json'],
    queue: 'cpu',
    startToCloseTimeout: '1 minute',
    heartbeatTimeout: '10 seconds',
    retry: { maximumAttempts: 2, initialInterval: '100 ms' },
  };
}

async function readValues(buf: Buffer): Promise<number[]> {
  return z.array(z.number()).parse(JSON.parse(buf.toString('utf8')));
}

export const generateStage = defineStage({
  module: import.meta.url,
  def: def('t-generate', z.strictObject({ count: z.number().int(), offset: z.number().default(0) }), {}),
  async run(ctx, p) {
    const start = Date.now();
    const values = Array.from({ length: p.count }, (_, i) => i + p.offset);
    await ctx.writer.putJson('values.json', values);
    executions.push({ stage: ctx.stage, nodeId: ctx.nodeId, start, end: Date.now() });
    return { metrics: { count: values.length } };
  },
});

export const scaleStage = defineStage({
  module: import.meta.url,
  def: def('t-scale', z.strictObject({ factor: z.number(), delayMs: z.number().default(0) }), {
    src: 'values',
  }),
  async run(ctx, p) {
    const start = Date.now();
    const values = await readValues(await ctx.inputs.src!.read('values.json'));
    if (p.delayMs > 0) await sleep(p.delayMs);
    await ctx.writer.putJson(
      'values.json',
      values.map((v) => v * p.factor),
    );
    executions.push({ stage: ctx.stage, nodeId: ctx.nodeId, start, end: Date.now() });
    return { metrics: {} };
  },
});

export const sumStage = defineStage({
  module: import.meta.url,
  def: def('t-sum', z.strictObject({}), { a: 'values', b: 'values' }),
  async run(ctx) {
    const start = Date.now();
    const a = await readValues(await ctx.inputs.a!.read('values.json'));
    const b = await readValues(await ctx.inputs.b!.read('values.json'));
    await ctx.writer.putJson('values.json', [a.reduce((x, y) => x + y, 0) + b.reduce((x, y) => x + y, 0)]);
    executions.push({ stage: ctx.stage, nodeId: ctx.nodeId, start, end: Date.now() });
    return { metrics: {} };
  },
});

/** Fails terminally while `fail` is true: models a stage with a bug fixed between runs. */
export const flakyControl = { failing: true };

export const flakyStage = defineStage({
  module: import.meta.url,
  def: def('t-flaky', z.strictObject({}), { src: 'values' }),
  async run(ctx) {
    executions.push({ stage: ctx.stage, nodeId: ctx.nodeId, start: Date.now(), end: Date.now() });
    if (flakyControl.failing) throw new StageFailure('t-flaky: simulated terminal failure');
    await ctx.writer.putBuffer('values.json', await ctx.inputs.src!.read('values.json'));
    return { metrics: {} };
  },
});

/** Always fails terminally with a long message: a branch that fails deterministically (e.g. a backbone). */
export const FAIL_MESSAGE = `t-fail: simulated deterministic failure ${'of a long stack of reasons '.repeat(10)}`;

export const failStage = defineStage({
  module: import.meta.url,
  def: def('t-fail', z.strictObject({}), { src: 'values' }),
  async run(ctx) {
    executions.push({ stage: ctx.stage, nodeId: ctx.nodeId, start: Date.now(), end: Date.now() });
    throw new StageFailure(FAIL_MESSAGE);
  },
});

/**
 * Stands in for the report: takes any inputs (those beyond `src` may be optional), writes which ones it got
 * and what it was told about the missing ones.
 */
export const collectStage = defineStage({
  module: import.meta.url,
  def: def('t-collect', z.strictObject({}), { src: 'values' }),
  async run(ctx) {
    executions.push({ stage: ctx.stage, nodeId: ctx.nodeId, start: Date.now(), end: Date.now() });
    await ctx.writer.putJson('values.json', Object.keys(ctx.inputs).sort());
    await ctx.writer.putJson('upstream-failures.json', ctx.upstreamFailures ?? null);
    return { metrics: {} };
  },
});

/** Heartbeats for a while so the run's query can be watched mid-stage. */
export const slowStage = defineStage({
  module: import.meta.url,
  def: def('t-slow', z.strictObject({ steps: z.number().int(), stepMs: z.number() }), {}),
  async run(ctx, p) {
    const start = Date.now();
    for (let step = 1; step <= p.steps; step++) {
      await sleep(p.stepMs);
      ctx.progress({
        step,
        done: step,
        total: p.steps,
        unit: 'steps',
        loss: 1 / step,
        message: `step ${step}`,
      });
    }
    await ctx.writer.putJson('values.json', [p.steps]);
    executions.push({ stage: ctx.stage, nodeId: ctx.nodeId, start, end: Date.now() });
    return { metrics: {} };
  },
});

/**
 * A stand-in for the real report stage: an artefact of stage `report` holding a report.xlsx whose bytes
 * `content(title)` makes (tests of `shelfssl report` need the file, not a workbook).
 */
export function reportStandIn(content: (title: string) => string) {
  return defineStage({
    module: import.meta.url,
    def: {
      name: 'report',
      description: 'test stand-in for the Excel report',
      codeVersion: 1,
      params: z.strictObject({ title: z.string() }),
      inputs: { src: 'values' },
      outputs: ['report.xlsx'],
      queue: 'cpu',
      startToCloseTimeout: '1 minute',
    },
    async run(ctx, p) {
      await ctx.writer.putBuffer('report.xlsx', Buffer.from(content(p.title)));
      return { metrics: {} };
    },
  });
}

export const FAKE_STAGES: StageImpl[] = [
  generateStage,
  scaleStage,
  sumStage,
  flakyStage,
  slowStage,
  failStage,
  collectStage,
];
