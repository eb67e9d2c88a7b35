import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import ExcelJS from 'exceljs';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { readAlias } from '../../store/aliases.js';
import { bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import type { PipelineRunResult } from '../../workflows/run-result.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';
import { tinyTrainingConfig } from './tiny-run.js';

describe('champion/challenger and "vs last week" in scheduled runs', () => {
  let w: RunningWorker;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-champion-'));
  const weekA = path.join(dir, 'a');
  const weekB = path.join(dir, 'b');
  before(async () => {
    w = await startTestWorker('champion', undefined, { gpuQueue: true });
    await makeShelves({ ...tinyShelvesOptions(weekA, 11, 12), labelShare: 0.7 });
    await makeShelves({ ...tinyShelvesOptions(weekB, 11, 14), labelShare: 0.7 });
  });
  after(async () => {
    await w.stop();
  });

  /** A scheduled run (ISO week set) of the tiny config with the given champion margin; its report's data. */
  async function scheduledRun(location: string, margin: number) {
    const base = tinyTrainingConfig(location, [100]);
    const config = RunConfigSchema.parse({
      ...base,
      name: 'weekly-e2e',
      champion: { alias: 'shelf-champ', margin },
    });
    const handle = await startPipelineRun(w.client, w.settings, expandPaperPipeline(config), {
      scheduled: true,
    });
    const result: PipelineRunResult = await handle.result();
    const bucket = bucketOf(w.settings);
    const manifest = (await readManifest(bucket, 'report', result.refs.report!.key))!;
    const input = JSON.parse((await readArtefactFile(bucket, manifest, 'report-input.json')).toString());
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(
      (await readArtefactFile(bucket, manifest, 'report.xlsx')) as unknown as ExcelJS.Buffer,
    );
    return { runId: handle.workflowId, weekly: input.weekly, sheets: workbook.worksheets.map((s) => s.name) };
  }

  it('promotes the first best model, keeps it against a challenger short of the margin, then promotes one past it', async () => {
    const bucket = bucketOf(w.settings);
    const first = await scheduledRun(weekA, 0.01);
    assert.equal(first.weekly.champion.promoted, true);
    assert.match(first.weekly.champion.reason, /no shelf-champ model yet/);
    assert.equal(first.weekly.vsLastWeek, null);
    assert.ok(first.sheets.includes('Vs last week'));
    assert.equal((await readAlias(bucket, 'shelf-champ'))?.current.model.runId, first.runId);

    // Another week's photos (other crops): the challenger is scored on the champion's own test split.
    const second = await scheduledRun(weekB, 0.5);
    const c = second.weekly.champion;
    assert.equal(c.promoted, false);
    assert.match(c.reason, /kept the champion: .* on the champion's test split \(\d+ crops\)/);
    assert.ok(c.challenger.accuracy < c.champion.accuracy + 0.5);
    assert.equal((await readAlias(bucket, 'shelf-champ'))?.current.model.runId, first.runId, 'champion kept');
    const vs = second.weekly.vsLastWeek;
    assert.equal(vs.previousRunId, first.runId);
    assert.deepEqual(
      vs.accuracy.map((d: { key: string }) => d.key),
      ['random-init/supervised/100'],
    );
    assert.equal(vs.champion.before, vs.champion.now);
    assert.equal(vs.shelfShare.length, 5);

    const third = await scheduledRun(weekB, -1);
    assert.equal(third.weekly.champion.promoted, true);
    assert.match(third.weekly.champion.reason, /^promoted: /);
    const alias = await readAlias(bucket, 'shelf-champ');
    assert.equal(alias?.current.model.runId, third.runId);
    assert.equal(alias?.history[0]?.model.runId, first.runId);
    assert.notEqual(third.weekly.vsLastWeek.champion.now, third.weekly.vsLastWeek.champion.before);
  });

  it('an ad-hoc run neither decides nor records a week', async () => {
    const handle = await startPipelineRun(
      w.client,
      w.settings,
      expandPaperPipeline(tinyTrainingConfig(weekA, [100])),
    );
    const result = await handle.result();
    const bucket = bucketOf(w.settings);
    const manifest = (await readManifest(bucket, 'report', result.refs.report!.key))!;
    const input = JSON.parse((await readArtefactFile(bucket, manifest, 'report-input.json')).toString());
    assert.equal(input.weekly, undefined);
  });
});
