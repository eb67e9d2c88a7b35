import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import sharp from 'sharp';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/index.js';
import { RunConfigSchema } from '../../pipelines/paper.js';
import { type Bucket, bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { runStateQuery } from '../../workflows/run-state.js';
import { runCli } from '../support/cli.js';
import { harnessRoot } from '../support/env.js';
import { activityAttempts } from '../support/history.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';
import { uniqueRunId, withTimeout } from './fault-mode.js';
import { faultPlan, tinyPaperConfig } from './tiny-plan.js';

const CASE_TIMEOUT_MS = 60_000;
const TRAIN_CSV = 'annotations/annotations_train.csv';

/** How a broken dataset must end: a failed run naming the problem, or a finished run that counted it. */
type Expect = { fails: RegExp } | { counted: string };

interface BrokenDataset {
  name: string;
  mutate(root: string): void | Promise<void>;
  expect: Expect;
}

interface IngestReport {
  bad: Record<string, { count: number }>;
  warnings: Record<string, { count: number }>;
  labels: { bad: Record<string, { count: number }> };
}

function editLines(file: string, edit: (lines: string[]) => string[]): void {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0);
  writeFileSync(file, `${edit(lines).join('\n')}\n`);
}

function withColumn(line: string, index: number, value: string): string {
  const cols = line.split(',');
  cols[index] = value;
  return cols.join(',');
}

const csv = (root: string) => path.join(root, TRAIN_CSV);

/** Every case keeps the rest of the dataset valid, so the failure or count is about that case alone. */
const CASES: BrokenDataset[] = [
  {
    name: 'truncated CSV (cut mid-row)',
    mutate: (root) => {
      const bytes = readFileSync(csv(root));
      writeFileSync(csv(root), bytes.subarray(0, bytes.length - 9));
    },
    expect: { counted: 'bad.malformed_row' },
  },
  {
    name: 'wrong column count',
    mutate: (root) => editLines(csv(root), (l) => [`${l[0]},extra`, ...l.slice(1)]),
    expect: { counted: 'bad.malformed_row' },
  },
  {
    name: 'negative coordinates',
    mutate: (root) => editLines(csv(root), (l) => [withColumn(l[0]!, 1, '-40'), ...l.slice(1)]),
    expect: { counted: 'warnings.box_clipped' },
  },
  {
    name: 'huge coordinates',
    mutate: (root) => editLines(csv(root), (l) => [withColumn(l[0]!, 3, '999999999'), ...l.slice(1)]),
    expect: { counted: 'warnings.box_clipped' },
  },
  {
    name: 'box wholly outside the image',
    mutate: (root) =>
      editLines(csv(root), (l) => [withColumn(withColumn(l[0]!, 1, '5000'), 3, '5100'), ...l.slice(1)]),
    expect: { counted: 'bad.box_outside_image' },
  },
  {
    name: 'non-UTF-8 bytes in a row',
    mutate: (root) => {
      const bytes = readFileSync(csv(root));
      writeFileSync(csv(root), Buffer.concat([Buffer.from([0x74, 0xff, 0xfe, 0x2c]), bytes]));
    },
    expect: { counted: 'bad.malformed_row' },
  },
  {
    name: 'duplicated rows',
    mutate: (root) => editLines(csv(root), (l) => [l[0]!, l[0]!, l[0]!, ...l.slice(1)]),
    expect: { counted: 'bad.duplicate_row' },
  },
  {
    name: 'path traversal image name',
    mutate: (root) =>
      editLines(csv(root), (l) => [withColumn(l[0]!, 0, '../../../../etc/passwd'), ...l.slice(1)]),
    expect: { counted: 'bad.unsafe_image_path' },
  },
  {
    name: 'PNG named .jpg',
    mutate: async (root) => {
      const file = path.join(root, 'images', 'train_0.jpg');
      writeFileSync(file, await sharp(readFileSync(file)).png().toBuffer());
    },
    expect: { counted: 'warnings.format_mismatch' },
  },
  {
    name: 'unknown classes in the label CSV',
    mutate: (root) =>
      editLines(path.join(root, 'labels.csv'), (l) => [withColumn(l[0]!, 5, 'spaceship'), ...l.slice(1)]),
    expect: { counted: 'labels.bad.unknown_class' },
  },
  {
    name: '0-byte JPEG (its boxes exceed maxBadShare)',
    mutate: (root) => writeFileSync(path.join(root, 'images', 'train_0.jpg'), Buffer.alloc(0)),
    expect: { fails: /unreadable_image: \d+ .*file is empty/ },
  },
  {
    name: 'truncated JPEG',
    mutate: (root) => {
      const file = path.join(root, 'images', 'train_0.jpg');
      const bytes = readFileSync(file);
      writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    },
    expect: { fails: /unreadable_image: .*truncated/ },
  },
  {
    name: 'every row garbage',
    mutate: (root) => writeFileSync(csv(root), 'not,a,sku110k\nfile,at,all\n'),
    expect: { fails: /above maxBadShare[\s\S]*malformed_row: 2/ },
  },
  {
    name: 'label CSV missing',
    mutate: (root) => rmSync(path.join(root, 'labels.csv')),
    expect: { fails: /label CSV labels\.csv not found/ },
  },
  {
    name: 'no annotations folder',
    mutate: (root) => rmSync(path.join(root, 'annotations'), { recursive: true }),
    expect: { fails: /no annotations\/annotations_\{train,val,test\}\.csv found/ },
  },
];

function countAt(report: IngestReport, dotted: string): number {
  const [first, ...rest] = dotted.split('.');
  let v: unknown = (report as unknown as Record<string, unknown>)[first!];
  for (const k of rest) v = (v as Record<string, unknown> | undefined)?.[k];
  return (v as { count?: number } | undefined)?.count ?? 0;
}

/** The messages down a failure's cause chain, as `shelfssl` prints them (the top one may be generic). */
function causeChain(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e instanceof Error && parts.length < 6; e = e.cause) parts.push(e.message);
  return parts.join(': ');
}

/** Stack frames or JS runtime errors in a user-facing message mean a crash, not a clear error. */
const CRASH = /\n\s+at |TypeError|ReferenceError|Cannot read propert|is not a function|undefined/;

describe('a sweep of broken SKU110K datasets and run configs', () => {
  let w: RunningWorker;
  let base: string;
  let dir: string;
  let bucket: Bucket;

  before(async () => {
    dir = mkdtempSync(path.join(harnessRoot(), 'bad-input-'));
    base = path.join(dir, 'base');
    await makeShelves({ ...tinyShelvesOptions(base, 31, 6), labelShare: 0.6 });
    w = await startTestWorker('bad-input');
    bucket = bucketOf(w.settings);
  });

  after(async () => {
    await w?.stop();
  });

  /** Runs snapshot + ingest on a mutated copy; returns the ingest report, or the failure message. */
  async function ingestCase(
    c: BrokenDataset,
    index: number,
  ): Promise<{ report?: IngestReport; error?: string }> {
    const root = path.join(dir, `case-${index}`);
    cpSync(base, root, { recursive: true });
    await c.mutate(root);
    const config = tinyPaperConfig(root, { epochs: 1, checkpointEverySteps: 5 }, `bad-${index}`);
    const plan = faultPlan(config, ['snapshot', 'ingest'], {
      heartbeatTimeout: '1 minute',
      initialInterval: '200 ms',
    });
    const handle = await startPipelineRun(w.client, w.settings, plan, { workflowId: uniqueRunId('bad') });
    try {
      const result = await withTimeout(c.name, CASE_TIMEOUT_MS, handle.result());
      const manifest = (await readManifest(bucket, 'ingest', result.refs.ingest!.key))!;
      const report = JSON.parse((await readArtefactFile(bucket, manifest, 'ingest-report.json')).toString());
      return { report };
    } catch (err) {
      assert.ok(err instanceof WorkflowFailedError, `${c.name}: not a failed run but ${String(err)}`);
      return { error: causeChain(err) };
    }
  }

  it('every broken dataset ends in a clear error naming the problem or a counted skip, never a hang', async () => {
    const outcomes: string[] = [];
    for (const [i, c] of CASES.entries()) {
      const started = Date.now();
      const { report, error } = await ingestCase(c, i);
      const ms = Date.now() - started;
      if ('fails' in c.expect) {
        assert.ok(error, `${c.name}: expected a failed run, but it finished`);
        assert.match(error, c.expect.fails, `${c.name}: the error does not name the problem`);
        assert.doesNotMatch(error, CRASH, `${c.name}: a crash, not a clear error`);
        assert.doesNotMatch(error, /retry|attempts? exhausted/i, `${c.name}: bad data must not be retried`);
        outcomes.push(`${c.name}: failed in ${ms} ms: ${error.split('\n')[0]}`);
      } else {
        assert.equal(error, undefined, `${c.name}: expected a counted skip, got ${error}`);
        const n = countAt(report!, c.expect.counted);
        assert.ok(n > 0, `${c.name}: ingest-report.json ${c.expect.counted} is 0`);
        outcomes.push(`${c.name}: counted ${c.expect.counted}=${n} in ${ms} ms`);
      }
    }
    console.log(`[faults] bad input:\n  ${outcomes.join('\n  ')}`);
  });

  it('labels.csv naming other classes than dataset.classes stops the whole run at ingest, at once', async () => {
    const root = path.join(dir, 'footwear');
    const made = await runCli([
      ...['data', 'make-shelves', '--tiny', '--out', root, '--images', '6', '--seed', '31'],
      ...['--label-share', '0.6', '--classes', 'sandal,sneaker,bag'],
    ]);
    assert.equal(made.code, 0, made.stderr);
    // dataset.classes left at its default, the demo's garments: a newcomer's first mistake.
    const config = tinyPaperConfig(root, { epochs: 1, checkpointEverySteps: 5 }, 'wrong-classes');
    const plan = faultPlan(config, 'all', { heartbeatTimeout: '1 minute', initialInterval: '200 ms' });
    const started = Date.now();
    const handle = await startPipelineRun(w.client, w.settings, plan, { workflowId: uniqueRunId('classes') });
    const outcome = await withTimeout(
      'wrong classes',
      CASE_TIMEOUT_MS,
      handle.result().then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    const ms = Date.now() - started;
    assert.ok(outcome instanceof WorkflowFailedError, `not a failed run but ${String(outcome)}`);
    const error = causeChain(outcome);
    assert.match(error, /ingest: .*labels\.csv does not fit dataset\.classes/);
    assert.match(
      error,
      /labels\.csv has: (sandal|sneaker|bag) \d+, (sandal|sneaker|bag) \d+, (sandal|sneaker|bag) \d+ \(configured: tshirt, pullover, dress, coat, shirt\)/,
    );
    assert.match(error, /ingest\.maxBadLabelShare/);
    assert.doesNotMatch(error, CRASH);
    assert.deepEqual(await activityAttempts(handle, 'stage.ingest'), [1], 'bad labels must not be retried');
    const state = await handle.query(runStateQuery);
    assert.equal(state.nodes.find((n) => n.id === 'ingest')?.status, 'failed');
    const downstream = state.nodes.filter((n) => n.id !== 'snapshot' && n.id !== 'ingest');
    assert.ok(downstream.length > 5, 'the plan goes on to crop, SwAV, heads and the report');
    for (const n of downstream)
      assert.ok(['pending', 'skipped'].includes(n.status), `${n.id} is ${n.status} after ingest failed`);
    console.log(`[faults] wrong dataset.classes: failed at ingest in ${ms} ms: ${error.split('\n')[0]}`);
  });

  it('a run config with sweep fractions 0, 101 or "abc" is refused naming sweep.fractions', () => {
    for (const fractions of [[0], [101], ['abc'], [10, 'abc']]) {
      const parsed = RunConfigSchema.safeParse({ dataset: { location: base }, sweep: { fractions } });
      assert.equal(parsed.success, false, `fractions ${JSON.stringify(fractions)} were accepted`);
      const paths = parsed.error!.issues.map((i) => i.path.slice(0, 2).join('.'));
      assert.ok(
        paths.every((p) => p === 'sweep.fractions'),
        `issues at ${paths.join(', ')}`,
      );
    }
  });
});
