import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { collectSweepPoints } from '../../cli/commands/sweep/sweep-metrics.js';
import { buildSweepTable, formatSweepTable, type SweepPoint } from '../../cli/commands/sweep/sweep-table.js';
import type { EvalMetricsFile } from '../../pipelines/artefacts/evaluate-metrics-file.js';
import type { DagPlan } from '../../pipelines/dag.js';
import { stageNode } from '../../pipelines/stage.js';
import { evaluateStage } from '../../pipelines/stages.js';
import { ArtefactWriter, bucketOf } from '../../store/artefacts.js';
import { ensureBucket } from '../../store/s3.js';
import { testSettings } from '../support/env.js';

const points: SweepPoint[] = [
  { backbone: 'random-init', mode: 'supervised', fraction: 10, seed: 1, accuracy: 0.4 },
  { backbone: 'random-init', mode: 'supervised', fraction: 10, seed: 2, accuracy: 0.5 },
  { backbone: 'random-init', mode: 'supervised', fraction: 100, seed: 1, accuracy: 0.6 },
  { backbone: 'swav', mode: 'semi-supervised', fraction: 10, seed: 1, accuracy: 0.7 },
  { backbone: 'swav', mode: 'semi-supervised', fraction: 10, seed: 2, accuracy: 0.8 },
  { backbone: 'swav', mode: 'semi-supervised', fraction: 10, seed: 3, accuracy: 0.9 },
];

describe('sweep table (Table 2)', () => {
  it('groups by backbone x head mode, columns by % labelled, mean ± sample std over seeds', () => {
    const table = buildSweepTable(points);
    assert.deepEqual(table.fractions, [10, 100]);
    const swav = table.rows.find((r) => r.backbone === 'swav')!.cells.get(10)!;
    assert.equal(swav.seeds, 3);
    assert.ok(Math.abs(swav.mean - 0.8) < 1e-12);
    assert.ok(Math.abs(swav.std - 0.1) < 1e-12);
    assert.deepEqual(formatSweepTable(table), [
      'backbone     head             10% labels   100% labels',
      '-----------  ---------------  -----------  -----------',
      'random-init  supervised       45.0 ± 7.1   60.0 ± 0.0',
      'swav         semi-supervised  80.0 ± 10.0  -',
    ]);
  });

  it("reads each evaluate node's metrics.json from its artefact", async () => {
    const settings = testSettings('sweep-metrics');
    const bucket = bucketOf(settings);
    await ensureBucket(bucket.s3, settings.s3);
    const plan: DagPlan = { pipeline: 'fake', nodes: [] };
    const refs: Record<string, Awaited<ReturnType<ArtefactWriter['publish']>>['ref']> = {};
    for (const p of points) {
      const id = `eval@${p.backbone}/${p.mode}/${p.fraction}pct/seed${p.seed}`;
      plan.nodes.push(
        stageNode(
          evaluateStage,
          id,
          {
            backbone: p.backbone,
            mode: p.mode === 'supervised' ? 'supervised' : 'semi-supervised',
            fraction: p.fraction,
            seed: p.seed,
          },
          { head: 'h', features: 'f', ingest: 'i' },
        ),
      );
      const writer = new ArtefactWriter(bucket, 'evaluate', randomBytes(32).toString('hex'));
      // A whole metrics.json: the sweep reads it with the evaluate stage's own schema, as the report does.
      const metrics: EvalMetricsFile = {
        backbone: p.backbone,
        mode: p.mode === 'supervised' ? 'supervised' : 'semi-supervised',
        fraction: p.fraction,
        seed: p.seed,
        classes: ['a', 'b'],
        accuracy: p.accuracy,
        macro: { precision: 0, recall: 0, f1: 0 },
        perClass: [],
        confusion: [],
        testSize: 10,
        iterations: 3,
        converged: true,
        l2: 0.1,
        trainMs: 1,
        sampleSize: 5,
      };
      await writer.putJson('metrics.json', metrics);
      const published = await writer.publish({
        codeVersion: 1,
        params: {},
        inputs: {},
        metrics: {},
        startedAt: new Date(),
      });
      refs[id] = published.ref;
    }
    const read = await collectSweepPoints(bucket, plan, refs);
    assert.deepEqual(
      read.map((r) => [r.backbone, r.mode, r.fraction, r.seed, r.accuracy]),
      points.map((p) => [p.backbone, p.mode, p.fraction, p.seed, p.accuracy]),
    );
  });
});
