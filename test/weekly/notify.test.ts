import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { z } from 'zod';
import { defineStage } from '../../activities/stage-types.js';
import { recordWeek } from '../../activities/stages/support/weekly-history.js';
import { startPipelineRun } from '../../cli/runs.js';
import { formatZodError } from '../../config/errors.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { redactUrl } from '../../pipelines/notify.js';
import { RunConfigSchema } from '../../pipelines/paper.js';
import { stageNode } from '../../pipelines/stage.js';
import { bucketOf } from '../../store/artefacts.js';
import { sdkLogFile } from '../../workers/sdk-log-path.js';
import { FAKE_STAGES, flakyControl, flakyStage, generateStage, scaleStage } from '../support/fake-stages.js';
import { startWebhookServer, type WebhookServer } from '../support/webhook-server.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

/** Stands in for a scheduled run's report: records this run's accuracy in its series (weeks.json). */
const weekStage = defineStage({
  module: import.meta.url,
  def: {
    name: 't-week',
    description: 'test stage: records the run in its weekly series',
    codeVersion: 1,
    params: z.strictObject({
      runId: z.string(),
      series: z.string(),
      week: z.string(),
      accuracy: z.record(z.string(), z.number()),
    }),
    inputs: { src: 'values' },
    outputs: ['values.json'],
    queue: 'cpu',
    startToCloseTimeout: '1 minute',
  },
  async run(ctx, p) {
    await recordWeek(ctx.bucket, p.series, {
      runId: p.runId,
      week: p.week,
      accuracy: p.accuracy,
      shelfShare: {},
      champion: null,
    });
    await ctx.writer.putJson('values.json', [1]);
    return { metrics: {} };
  },
});

const AlertSchema = z.object({
  text: z.string(),
  shelfssl: z.object({
    runId: z.string(),
    pipeline: z.string(),
    week: z.string(),
    status: z.enum(['completed', 'failed']),
    failedNodes: z.array(z.object({ node: z.string(), stage: z.string(), error: z.string() })),
    skipped: z.number(),
    events: z.array(z.string()),
    headline: z
      .object({
        config: z.string(),
        accuracy: z.number(),
        previousWeek: z.string().nullable(),
        change: z.number().nullable(),
      })
      .nullable(),
    uiUrl: z.string(),
    rerun: z.string(),
  }),
});

const SECRET = 'T0001/B0002/sEcReTtOkEn';

describe('run alerts to an incoming webhook (real Temporal + MinIO, local HTTP server)', () => {
  let w: RunningWorker;
  let hook: WebhookServer;
  before(async () => {
    w = await startTestWorker('notify', [...FAKE_STAGES, weekStage]);
    hook = await startWebhookServer();
  });
  after(async () => {
    await w.stop();
    await hook.close();
  });

  it('a failed run posts its failed node, error, UI link and re-run command', async () => {
    hook.received.length = 0;
    hook.status = 200;
    flakyControl.failing = true;
    const plan: DagPlan = {
      pipeline: `notify-fail-${randomUUID().slice(0, 6)}`,
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 2, offset: 1810 }, {}),
        stageNode(flakyStage.def, 'flaky', {}, { src: 'gen' }),
        stageNode(scaleStage.def, 'scale', { factor: 2 }, { src: 'flaky' }),
      ],
      notify: { webhook: `${hook.url}/services/${SECRET}?token=abc`, on: ['failure'] },
    };
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await assert.rejects(handle.result());
    assert.equal(hook.received.length, 1, 'one alert');
    const got = hook.received[0]!;
    assert.equal(got.path, `/services/${SECRET}?token=abc`);
    assert.equal(got.contentType, 'application/json');
    const alert = AlertSchema.parse(got.body);
    assert.equal(alert.shelfssl.runId, handle.workflowId);
    assert.equal(alert.shelfssl.status, 'failed');
    assert.deepEqual(alert.shelfssl.events, ['failure']);
    assert.deepEqual(
      alert.shelfssl.failedNodes.map((n) => n.node),
      ['flaky'],
    );
    assert.match(alert.shelfssl.failedNodes[0]!.error, /simulated terminal failure/);
    assert.equal(alert.shelfssl.skipped, 1);
    assert.match(alert.shelfssl.week, /^\d{4}-W\d{2}$/);
    assert.equal(alert.shelfssl.rerun, `shelfssl rerun ${handle.workflowId} --stage t-flaky`);
    assert.ok(alert.shelfssl.uiUrl.endsWith(`/workflows/${encodeURIComponent(handle.workflowId)}`));
    assert.match(alert.text, /FAILED/);
    assert.ok(alert.text.includes('flaky failed: '), alert.text);
    assert.ok(
      alert.text.includes(alert.shelfssl.uiUrl) && alert.text.includes(alert.shelfssl.rerun),
      alert.text,
    );
  });

  it('a regression (headline accuracy below last week) is sent; success alone is not when only failures are asked for', async () => {
    hook.received.length = 0;
    hook.status = 200;
    const series = `notify-reg-${randomUUID().slice(0, 6)}`;
    const b = bucketOf(w.settings);
    await recordWeek(b, series, {
      runId: 'last-week',
      week: '2026-W47',
      accuracy: { 'swav/supervised/10': 0.8 },
      shelfShare: {},
      champion: null,
    });
    const plan = (on: ('failure' | 'regression')[], offset: number): DagPlan => ({
      pipeline: series,
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 2, offset }, {}),
        stageNode(
          weekStage.def,
          'week',
          {
            runId: 'auto',
            series,
            week: '2026-W48',
            accuracy: { 'swav/supervised/10': 0.75, 'random-init/supervised/10': 0.6 },
          },
          { src: 'gen' },
        ),
      ],
      notify: { webhook: `${hook.url}/hooks/${SECRET}`, on },
    });
    const handle = await startPipelineRun(w.client, w.settings, plan(['regression'], 1812));
    await handle.result();
    assert.equal(hook.received.length, 1);
    const alert = AlertSchema.parse(hook.received[0]!.body);
    assert.deepEqual(alert.shelfssl.events, ['success', 'regression']);
    assert.equal(alert.shelfssl.headline?.config, 'swav/supervised/10');
    assert.equal(alert.shelfssl.headline?.accuracy, 0.75);
    assert.equal(alert.shelfssl.headline?.previousWeek, '2026-W47');
    assert.ok(Math.abs((alert.shelfssl.headline?.change ?? 0) + 0.05) < 1e-9);
    assert.ok(alert.text.includes('accuracy 75.0 % (swav/supervised/10), −5.0 pts vs 2026-W47'), alert.text);
    assert.match(alert.text, /accuracy fell/);

    // The next week, no regression (same accuracy) and no failure: nothing is sent.
    const quiet = await startPipelineRun(w.client, w.settings, plan(['failure'], 1811));
    await quiet.result();
    assert.equal(hook.received.length, 1, 'a successful run sends nothing more when on: [failure]');
  });

  it('a dead webhook is tried three times and never fails the run; its token appears in no error or log', async () => {
    hook.received.length = 0;
    hook.status = 500;
    const plan: DagPlan = {
      pipeline: `notify-dead-${randomUUID().slice(0, 6)}`,
      nodes: [stageNode(generateStage.def, 'gen', { count: 2, offset: 1813 }, {})],
      notify: { webhook: `${hook.url}/services/${SECRET}?token=abc`, on: ['success'] },
    };
    const handle = await startPipelineRun(w.client, w.settings, plan);
    const result = await handle.result();
    assert.equal(result.nodes[0]?.status, 'done');
    assert.equal(hook.received.length, 3, 'bounded retries: three attempts');
    const failures = ((await handle.fetchHistory()).events ?? []).flatMap((e) =>
      e.activityTaskFailedEventAttributes
        ? [JSON.stringify(e.activityTaskFailedEventAttributes.failure)]
        : [],
    );
    assert.equal(failures.length, 1, 'the last attempt failed the activity');
    assert.match(failures[0]!, /webhook http:\/\/127\.0\.0\.1:\d+\/services\/…\?… answered HTTP 500/);
    assert.ok(!failures[0]!.includes('sEcReT') && !failures[0]!.includes('token=abc'), failures[0]);
    let log = '';
    try {
      log = readFileSync(sdkLogFile(w.settings.dataDir), 'utf8');
    } catch {
      // No log written at this level: nothing to leak.
    }
    assert.ok(!log.includes('sEcReT'), 'the SDK log never holds the webhook token');
  });

  it('the run config checks notify.webhook and never echoes it', () => {
    const parsed = RunConfigSchema.safeParse({
      dataset: { location: '/x' },
      notify: { webhook: `hooks.example.com/services/${SECRET}`, on: ['failure'] },
    });
    assert.equal(parsed.success, false);
    const message = formatZodError(parsed.error!, 'run.yaml', RunConfigSchema);
    assert.match(message, /notify\.webhook/);
    assert.match(message, /an http\(s\) URL/);
    assert.ok(!message.includes('sEcReT'), message);
    const events = RunConfigSchema.safeParse({
      dataset: { location: '/x' },
      notify: { webhook: 'https://h.example/x', on: ['weekly'] },
    });
    assert.equal(events.success, false);
    assert.equal(
      redactUrl(`https://hooks.slack.com/services/${SECRET}?token=abc`),
      'https://hooks.slack.com/services/…?…',
    );
    assert.equal(redactUrl('https://h.example/hook'), 'https://h.example/hook');
  });
});
