import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runSummaryTable } from '../../cli/commands/run/summary-table.js';
import { nodeStateTable } from '../../cli/commands/status/node-table.js';
import { plainRenderer } from '../../cli/progress/plain-renderer.js';
import type { RunView } from '../../cli/progress/run-view.js';
import { ttyRenderer } from '../../cli/progress/tty-renderer.js';
import type { NodeState } from '../../workflows/run-state.js';

const T0 = new Date(2024, 0, 1, 12, 0, 0).getTime();

function view(nodes: NodeState[], status: RunView['status'] = 'running'): RunView {
  return {
    workflowId: 'wf-1',
    pipeline: 'paper',
    startedAt: T0,
    status,
    nodes,
    ...(status === 'running' ? {} : { finishedAt: T0 + 5000 }),
  };
}

const crop = (done: number): NodeState => ({
  id: 'crop',
  stage: 'crop',
  status: 'running',
  startedAt: T0,
  progress: { done, total: 200, unit: 'images', at: T0 + done * 10 },
});

describe('progress renderers (pure)', () => {
  it('plain: time-stamped lines only for nodes whose state changed; pending nodes stay silent', () => {
    const a = view([
      { id: 'ingest', stage: 'ingest', status: 'cached', cacheHit: true },
      crop(120),
      { id: 'head', stage: 'head', status: 'pending' },
    ]);
    const first = plainRenderer.render(undefined, a, T0 + 1000);
    assert.deepEqual(first, [
      '[12:00:01] run wf-1 running (1 cached, 1 running, 1 pending)',
      '[12:00:01] ingest cached',
      '[12:00:01] crop running 120/200 images',
    ]);
    assert.deepEqual(plainRenderer.render(a, a, T0 + 2000), [], 'nothing changed: no line');
    const b = view([a.nodes[0]!, crop(160), a.nodes[2]!]);
    assert.deepEqual(plainRenderer.render(a, b, T0 + 3000), ['[12:00:03] crop running 160/200 images']);
    const c = view(
      [
        a.nodes[0]!,
        { id: 'crop', stage: 'crop', status: 'done', cacheHit: false, durationMs: 4200 },
        { id: 'head', stage: 'head', status: 'failed', error: 'boom' },
      ],
      'failed',
    );
    assert.deepEqual(plainRenderer.render(b, c, T0 + 5000), [
      '[12:00:05] crop done in 4.2 s',
      '[12:00:05] head failed boom',
      '[12:00:05] run wf-1 failed (1 cached, 1 done, 1 failed) in 5.0 s',
    ]);
  });

  it('plain: epoch, step and loss appear for training stages', () => {
    const n: NodeState = {
      id: 'backbone@swav',
      stage: 'pretrain',
      status: 'running',
      progress: { epoch: 2, step: 40, loss: 3.21 },
    };
    assert.deepEqual(plainRenderer.render(undefined, view([n]), T0).slice(1), [
      '[12:00:00] backbone@swav running epoch 2 step 40 loss 3.2100',
    ]);
  });

  it('tty: a bar per node with ETA from the rate; later frames move the cursor over the previous one', () => {
    const tty = ttyRenderer(10);
    const a = view([{ id: 'ingest', stage: 'ingest', status: 'cached', cacheHit: true }, crop(100)]);
    const first = tty.render(undefined, a, T0 + 1000);
    assert.equal(first.length, 3);
    assert.match(first[0]!, /^paper running 1\.0 s \[12:00:01\] {2}1 cached, 1 running$/);
    assert.equal(first[1], 'ingest   cached');
    // 100 of 200 images after 1 s: 1 s to go.
    assert.equal(first[2], 'crop     running  [##########----------] 100/200 images  ETA 1.0 s');
    const next = tty.render(a, view([a.nodes[0]!, crop(150)]), T0 + 1500);
    assert.ok(next[0]!.startsWith('\x1b[3A\x1b[J'), JSON.stringify(next[0]));
    assert.match(next[2]!, /\[###############-----\] 150\/200 images/);
  });

  it('tty: many finished nodes are folded so the block fits the terminal', () => {
    const many: NodeState[] = Array.from({ length: 50 }, (_, i) => ({
      id: `n${i}`,
      stage: 's',
      status: 'done',
      durationMs: 10,
    }));
    many.push({ id: 'live', stage: 's', status: 'running', progress: { done: 1, total: 2 } });
    const lines = ttyRenderer(8).render(undefined, view(many), T0);
    assert.equal(lines.length, 1 + 8 + 1);
    assert.ok(lines.some((l) => l.startsWith('live')));
    assert.equal(lines.at(-1), '… 43 more finished nodes');
  });

  it('a failed branch: the error shows once, at the failed node; dependants name it', () => {
    const error = `pretrain: SwAV collapsed ${'x'.repeat(300)}`;
    const nodes: NodeState[] = [
      { id: 'backbone@swav', stage: 'pretrain', status: 'failed', error },
      ...['10pct', '20pct'].map(
        (g): NodeState => ({
          id: `head@swav/${g}`,
          stage: 'head',
          status: 'skipped',
          upstream: ['backbone@swav'],
        }),
      ),
      { id: 'head@random-init/10pct', stage: 'head', status: 'done', cacheHit: false, durationMs: 1200 },
    ];
    const count = (lines: string[]) => lines.join('\n').split(error).length - 1;
    const plain = plainRenderer.render(undefined, view(nodes, 'failed'), T0);
    assert.equal(count(plain), 1);
    assert.ok(
      plain.includes('[12:00:00] head@swav/10pct skipped (upstream: backbone@swav)'),
      plain.join('\n'),
    );
    const tty = ttyRenderer(10).render(undefined, view(nodes, 'failed'), T0);
    assert.equal(count(tty), 1);
    assert.ok(
      tty.some((l) => /^head@swav\/20pct +skipped +\(upstream: backbone@swav\)$/.test(l)),
      tty.join('\n'),
    );
    const status = nodeStateTable(nodes);
    assert.equal(count(status), 1);
    assert.match(status.join('\n'), /^head@swav\/10pct +head +skipped \(upstream: backbone@swav\) *$/m);
    const summary = runSummaryTable(nodes);
    assert.equal(count(summary), 0, 'the final `run failed:` line carries the error');
    assert.match(summary.join('\n'), /^head@swav\/20pct +head +skipped \(upstream: backbone@swav\) +- +-$/m);
  });
});
