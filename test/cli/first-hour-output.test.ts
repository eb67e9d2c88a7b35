import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { connectClient } from '../../cli/client.js';
import { dataQualityParagraph } from '../../cli/commands/run/data-quality.js';
import { withIsoTimes } from '../../cli/commands/status/iso-times.js';
import { nodeStateTable } from '../../cli/commands/status/node-table.js';
import { throttledPlainRenderer } from '../../cli/progress/plain-renderer.js';
import type { RunView } from '../../cli/progress/run-view.js';
import { fitId } from '../../cli/progress/tty-renderer.js';
import { loadSettings } from '../../config/settings.js';
import type { NodeState } from '../../workflows/run-state.js';
import { runCli } from '../support/cli.js';

const T0 = Date.UTC(2024, 0, 1, 12, 0, 0);
const swav = (step: number, status: NodeState['status'] = 'running'): NodeState => ({
  id: 'backbone@swav',
  stage: 'pretrain',
  status,
  progress: { epoch: 1, step, loss: 5 - step / 1000 },
});
const view = (nodes: NodeState[]): RunView => ({
  workflowId: 'wf',
  pipeline: 'paper',
  startedAt: T0,
  status: 'running',
  nodes,
});

describe('output a newcomer can read', () => {
  it('non-TTY progress: at most one line per node per interval, every state change at once', () => {
    const r = throttledPlainRenderer(30_000);
    let prev: RunView | undefined;
    const lines: string[] = [];
    // 1,280 steps, one snapshot per second: a line per step without throttling.
    for (let s = 1; s <= 120; s++) {
      const next = view([swav(s)]);
      lines.push(...r.render(prev, next, T0 + s * 1000).filter((l) => l.includes('backbone@swav')));
      prev = next;
    }
    assert.equal(lines.length, 4, lines.join('\n'));
    const done = r.render(prev, view([{ ...swav(120, 'done'), durationMs: 120_000 }]), T0 + 121_000);
    assert.ok(
      done.some((l) => l.includes('backbone@swav done')),
      'a state change prints at once',
    );
  });

  it('long node ids keep their stage and their tail, so sweep points stay distinct', () => {
    const ids = [
      'head@random-init/semi-supervised/100pct/seed3',
      'head@random-init/semi-supervised/100pct/seed2',
      'eval@random-init/semi-supervised/100pct/seed3',
    ];
    const fitted = ids.map((id) => fitId(id, 24));
    assert.equal(new Set(fitted).size, ids.length, fitted.join(' | '));
    assert.ok(fitted.every((f) => f.length === 24));
    assert.ok(fitted[0]!.startsWith('head@…') && fitted[0]!.endsWith('100pct/seed3'), fitted[0]);
  });

  it('status: a long error leaves the table as a numbered note (full text once); --json times are ISO', () => {
    const error = `pretrain: SwAV collapsed\n${'    at frame\n'.repeat(3)}`;
    const lines = nodeStateTable([{ id: 'backbone@swav', stage: 'pretrain', status: 'failed', error }]);
    const row = lines.find((l) => l.startsWith('backbone@swav'))!;
    assert.match(row, /pretrain: SwAV collapsed… \[1\]$/);
    assert.ok(lines.includes(`[1] backbone@swav: ${error}`));
    const json = withIsoTimes({
      ...view([{ ...swav(3), startedAt: T0 + 1000, progress: { step: 3, at: T0 + 2000 } }]),
      finishedAt: T0 + 5000,
    });
    assert.equal(json.startedAt, '2024-01-01T12:00:00.000Z');
    assert.equal(json.finishedAt, '2024-01-01T12:00:05.000Z');
    assert.equal(json.nodes[0]!.startedAt, '2024-01-01T12:00:01.000Z');
    assert.equal(json.nodes[0]!.progress?.at, '2024-01-01T12:00:02.000Z');
  });

  it('data quality: a paragraph with counts by reason and one example each, nothing when all was kept', () => {
    const reason = (count: number, file: string, line: number, detail: string) => ({
      count,
      examples: [{ file, line, detail }],
    });
    const none = { count: 0, examples: [] };
    const report = {
      counts: { rows: 1200, goodBoxes: 1188, images: 40, bySplit: {} },
      bad: {
        missing_image: reason(12, 'annotations/train.csv', 17, 'no file images/train_3.jpg'),
        zero_area_box: none,
      },
      warnings: {},
      labels: {
        counts: {},
        bad: { image_not_ingested: reason(3, 'labels.csv', 4, 'train_3.jpg has no ingested box') },
        warnings: {},
      },
    };
    const text = dataQualityParagraph(report).join('\n');
    assert.match(text, /^data quality: ingest dropped 12 of 1200 annotation rows and 3 label row\(s\):/);
    assert.match(
      text,
      /missing_image: 12 row\(s\), e\.g\. annotations\/train\.csv:17 \(no file images\/train_3\.jpg\)/,
    );
    assert.match(text, /image_not_ingested: 3 label row\(s\), e\.g\. labels\.csv:4/);
    assert.doesNotMatch(text, /zero_area_box/);
    const clean = { ...report, bad: { zero_area_box: none }, labels: { ...report.labels, bad: {} } };
    assert.deepEqual(dataQualityParagraph(clean), []);
  });
});

describe('no worker, no word', () => {
  it('run --detach and status say "waiting for a worker on queue X (none polling)", status at once', async () => {
    const cpu = `nobody-cpu-${randomUUID().slice(0, 8)}`;
    const gpu = `nobody-gpu-${randomUUID().slice(0, 8)}`;
    const env = { ...process.env, SHELFSSL_QUEUE_CPU: cpu, SHELFSSL_QUEUE_GPU: gpu };
    const started = await runCli(['run', '--detach', '--dataset', '/nonexistent/shelves'], env);
    assert.equal(started.code, 0, started.stderr);
    assert.ok(started.stdout.includes(`waiting for a worker on queue ${cpu} (none polling`), started.stdout);
    assert.ok(started.stdout.includes(`waiting for a worker on queue ${gpu} (none polling`), started.stdout);
    const id = /^started (\S+)/m.exec(started.stdout)?.[1];
    assert.ok(id, started.stdout);
    const status = await runCli(['status', id], env);
    assert.equal(status.code, 1);
    assert.ok(status.stderr.includes(`waiting for a worker on queue ${cpu} (none polling)`), status.stderr);
    const { client, close } = await connectClient(loadSettings());
    await client.workflow.getHandle(id).terminate('test over');
    await close();
  });
});

describe('data make-shelves polish', () => {
  it('refuses a folder with images (stale ones would stay), --replace clears it; an empty test split warns', async () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'shelfssl-shelves-'));
    const make = (...extra: string[]) =>
      runCli(['data', 'make-shelves', '--tiny', '--out', out, '--images', '2', ...extra]);
    const first = await make();
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stderr, /warning: the test split has no images \(--images 2\)/);
    writeFileSync(path.join(out, 'images', 'stale.jpg'), 'old');
    const again = await make();
    assert.equal(again.code, 2);
    assert.match(again.stderr, /already holds 3 file\(s\) in images\/.*--replace/);
    const replaced = await make('--replace');
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.equal(existsSync(path.join(out, 'images', 'stale.jpg')), false);
  });
});
