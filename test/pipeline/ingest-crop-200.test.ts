import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import { z } from 'zod';
import { startPipelineRun } from '../../cli/runs.js';
import { makeShelves } from '../../data/shelves/index.js';
import { expandPaperPipeline, RunConfigSchema } from '../../pipelines/paper.js';
import { bucketOf, readArtefactFile, readManifest } from '../../store/artefacts.js';
import { type RunningWorker, startTestWorker } from '../support/worker.js';

const EntrySchema = z.object({
  boxId: z.string(),
  label: z.number().nullable(),
  split: z.string().nullable(),
});
const HeaderSchema = z.object({ version: z.literal(2), count: z.number() });
const BoxesSchema = z.object({
  count: z.number(),
  labels: z.array(z.object({ boxId: z.string(), label: z.number() })),
});

/** The records of an NDJSON artefact file, one per line. */
function ndjson(data: Buffer): unknown[] {
  return data
    .toString()
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line));
}

let w: RunningWorker;
before(async () => {
  w = await startTestWorker('ingest-crop-200');
});
after(async () => {
  await w.stop();
});

it('ingests and crops 200 generated Fashion-MNIST shelves through the DAG: counts match the CSVs, the held-out region holds ~15 % of every class', async () => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'shelfssl-200-')), 'shelves');
  await makeShelves({ out: dir, images: 200, seed: 9, labelShare: 0.3 });
  const csvRows = ['train', 'val', 'test']
    .map(
      (s) =>
        readFileSync(path.join(dir, 'annotations', `annotations_${s}.csv`), 'utf8')
          .trim()
          .split('\n').length,
    )
    .reduce((a, b) => a + b, 0);
  const plan = expandPaperPipeline(RunConfigSchema.parse({ dataset: { location: dir } }));
  plan.nodes = plan.nodes.filter((n) => ['snapshot', 'ingest', 'boxes', 'crop'].includes(n.id));
  const result = await (await startPipelineRun(w.client, w.settings, plan)).result();
  const bucket = bucketOf(w.settings);
  const ingest = (await readManifest(bucket, 'ingest', result.refs.ingest!.key))!;
  const crop = (await readManifest(bucket, 'crop', result.refs.crop!.key))!;
  assert.equal(ingest.metrics.images, 200);
  assert.equal(ingest.metrics.goodBoxes, csvRows);
  assert.equal(crop.metrics.crops, csvRows, 'one crop per CSV box');
  const header = HeaderSchema.parse(
    JSON.parse((await readArtefactFile(bucket, crop, 'all/index.json')).toString()),
  );
  assert.equal(header.count, csvRows);
  const index = {
    entries: ndjson(await readArtefactFile(bucket, crop, 'all/index.ndjson')).map((e) =>
      EntrySchema.parse(e),
    ),
  };
  assert.equal(index.entries.length, csvRows);
  assert.ok(
    index.entries.every((e) => e.label === null),
    'the crop artefact is label-blind',
  );
  const heldOut = new Set(index.entries.filter((e) => e.split === 'test').map((e) => e.boxId));
  assert.equal(crop.metrics.heldOut, heldOut.size);
  const { labels, count } = BoxesSchema.parse(
    JSON.parse((await readArtefactFile(bucket, ingest, 'boxes.json')).toString()),
  );
  assert.equal(count, csvRows);
  assert.equal(ndjson(await readArtefactFile(bucket, ingest, 'boxes.ndjson')).length, csvRows);
  assert.equal(labels.length, ingest.metrics.labelledBoxes);
  for (let label = 0; label < 5; label++) {
    const ofClass = labels.filter((l) => l.label === label);
    const test = ofClass.filter((l) => heldOut.has(l.boxId)).length;
    // A per-box hash, not a per-class draw: binomial, so within 3 standard deviations of 15 %.
    const sd = Math.sqrt(ofClass.length * 0.15 * 0.85);
    assert.ok(
      Math.abs(test - ofClass.length * 0.15) <= 3 * sd,
      `class ${label}: ${test} of ${ofClass.length} in test`,
    );
  }
});
