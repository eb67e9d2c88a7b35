import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { downloadRunReport } from '../../cli/commands/report/download-report.js';
import { defaultReportFile } from '../../cli/commands/report.js';
import { startPipelineRun } from '../../cli/runs.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { runCli } from '../support/cli.js';
import { FAKE_STAGES, failStage, generateStage, reportStandIn } from '../support/fake-stages.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

/** Stands in for the real report stage: an artefact of stage `report` holding a report.xlsx. */
const fakeReportStage = reportStandIn((title) => `PK fake workbook: ${title}`);

describe('shelfssl report', () => {
  let w: RunningWorker;
  before(async () => {
    w = await startTestWorker('report', [...FAKE_STAGES, fakeReportStage]);
  });
  after(async () => {
    await w.stop();
  });

  it("downloads the report node's report.xlsx (sha256-checked) to the given path", async () => {
    const title = `week ${Date.now()}`;
    const plan: DagPlan = {
      pipeline: 'report-cli',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 1, offset: 3 }, {}),
        stageNode(fakeReportStage.def, 'report', { title }, { src: 'gen' }),
      ],
    };
    const handle = await startPipelineRun(w.client, w.settings, plan);
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'shelfssl-report-')), 'r.xlsx');
    const saved = await downloadRunReport(w.client, w.settings, handle.workflowId, out);
    assert.equal(saved.path, out);
    assert.equal(readFileSync(out, 'utf8'), `PK fake workbook: ${title}`);
  });

  it('a run in which a branch failed still hands out the report written from what succeeded', async () => {
    const title = `partial ${Date.now()}`;
    const plan: DagPlan = {
      pipeline: 'report-partial',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 1, offset: 4 }, {}),
        stageNode(failStage.def, 'broken', {}, { src: 'gen' }),
        {
          ...stageNode(fakeReportStage.def, 'report', { title }, { src: 'gen', extra: 'broken' }),
          optionalInputs: ['extra'],
        },
      ],
    };
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await assert.rejects(handle.result(), (err: Error) =>
      /1 stage\(s\) failed: broken/.test(String(err.cause)),
    );
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'shelfssl-report-')), 'r.xlsx');
    await downloadRunReport(w.client, w.settings, handle.workflowId, out);
    assert.equal(readFileSync(out, 'utf8'), `PK fake workbook: ${title}`);
  });

  it('a report skipped because a required input failed names the failed node', async () => {
    const plan: DagPlan = {
      pipeline: 'report-skipped',
      nodes: [
        stageNode(generateStage.def, 'gen', { count: 1, offset: 5 }, {}),
        stageNode(failStage.def, 'broken', {}, { src: 'gen' }),
        stageNode(fakeReportStage.def, 'report', { title: 'never' }, { src: 'broken' }),
      ],
    };
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await assert.rejects(
      downloadRunReport(w.client, w.settings, handle.workflowId, 'x.xlsx'),
      /wrote no report: node report skipped \(upstream: broken\)$/,
    );
    const cli = await runCli(['report', handle.workflowId]);
    assert.equal(cli.code, 1, cli.stderr);
    assert.match(cli.stderr, /no report exists for run .*1 stage\(s\) failed: broken: .*t-fail/);
    assert.ok(cli.stderr.includes(`shelfssl status ${handle.workflowId}`), cli.stderr);
    assert.doesNotMatch(cli.stderr, /Workflow execution failed/);
  });

  it('a run without a report node says so', async () => {
    const plan: DagPlan = {
      pipeline: 'no-report',
      nodes: [stageNode(generateStage.def, 'gen', { count: 1 }, {})],
    };
    const handle = await startPipelineRun(w.client, w.settings, plan);
    await assert.rejects(
      downloadRunReport(w.client, w.settings, handle.workflowId, 'x.xlsx'),
      /has no report node/,
    );
  });

  it('the default file name is safe for workflow ids with slashes', () => {
    assert.equal(
      defaultReportFile('paper-2024/10pct', '/d/.shelfssl'),
      '/d/.shelfssl/reports/shelfssl-report-paper-2024_10pct.xlsx',
    );
  });
});
