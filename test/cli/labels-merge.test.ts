import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/make-shelves.js';
import { tempDir } from '../fixtures/tiny-dataset.js';
import { runCli } from '../support/cli.js';

const HEADER = 'image_name,x1,y1,x2,y2,class,image_width,image_height,suggested_class,confidence,box_id';
const lines = (file: string) => readFileSync(file, 'utf8').trim().split('\n');
/** A label row as to-label.csv has it, with the class replaced and the extra columns after it. */
const filled = (row: string, cls: string) => {
  const f = row.split(',');
  f[5] = cls;
  return `${f.join(',')},coat,0.41,${f[0]}#?`;
};

describe('shelfssl labels merge', () => {
  let dir = '';
  let cleanup = async () => {};
  let root = '';
  let labelled: string[] = [];
  let unlabelled: string[] = [];
  before(async () => {
    ({ dir, cleanup } = await tempDir('merge'));
    root = path.join(dir, 'shelves');
    // Same seed: the same shelves and boxes; labelShare 1 is the generator's truth for every class box.
    await makeShelves({ ...tinyShelvesOptions(root, 21, 4), labelShare: 0.3 });
    await makeShelves({ ...tinyShelvesOptions(path.join(dir, 'truth'), 21, 4), labelShare: 1 });
    labelled = lines(path.join(root, 'labels.csv'));
    const known = new Set(labelled);
    unlabelled = lines(path.join(dir, 'truth', 'labels.csv')).filter((l) => !known.has(l));
    assert.ok(unlabelled.length >= 6 && labelled.length >= 2);
  });
  after(() => cleanup());

  it('appends the good rows atomically with a backup and counts every bad one by reason', async () => {
    const other = (row: string) => (row.split(',')[5] === 'coat' ? 'dress' : 'coat');
    const csv = [
      HEADER,
      filled(unlabelled[0]!, unlabelled[0]!.split(',')[5]!),
      filled(unlabelled[1]!, unlabelled[1]!.split(',')[5]!),
      filled(unlabelled[2]!, unlabelled[2]!.split(',')[5]!),
      filled(unlabelled[3]!, ''),
      filled(unlabelled[4]!, 'sandal'),
      'train_0.jpg,230,170,239,179,coat,240,180,coat,0.3,x',
      filled(labelled[0]!, labelled[0]!.split(',')[5]!),
      filled(labelled[1]!, other(labelled[1]!)),
      filled(unlabelled[5]!, 'coat'),
      filled(unlabelled[5]!, 'dress'),
      filled(unlabelled[0]!, unlabelled[0]!.split(',')[5]!),
      'garbage',
    ].join('\n');
    const from = path.join(dir, 'filled.csv');
    writeFileSync(from, `${csv}\n`);
    const dry = await runCli(['labels', 'merge', '--from', from, '--dataset', root, '--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual(lines(path.join(root, 'labels.csv')), labelled, 'a dry run writes nothing');

    const r = await runCli(['labels', 'merge', '--from', from, '--dataset', root]);
    assert.equal(r.code, 0, r.stderr);
    for (const expected of [
      /appended 3 label rows to .*labels\.csv \(backup: .*labels\.csv\.bak-\d{8}T\d{6}\)/,
      /skipped 1 rows with the class left blank/,
      /rejected 1 unknown_class\n.*'sandal' is not one of tshirt, pullover, dress, coat, shirt/,
      /rejected 1 no_matching_box/,
      /rejected 2 duplicate\n/,
      /rejected 2 conflicting_rows/,
      /rejected 1 conflicts_existing_label\n.*labels\.csv has .* as '/,
      /rejected 1 malformed_row/,
    ])
      assert.match(r.stdout, expected);
    const after = lines(path.join(root, 'labels.csv'));
    assert.deepEqual(after, [...labelled, unlabelled[0], unlabelled[1], unlabelled[2]]);
    const backups = readdirSync(root).filter((f) => f.startsWith('labels.csv.bak-'));
    assert.equal(backups.length, 1);
    assert.deepEqual(lines(path.join(root, backups[0]!)), labelled, 'the backup is the file before');
    assert.deepEqual(
      readdirSync(root).filter((f) => f.includes('.tmp-')),
      [],
      'no temporary file left',
    );

    const again = await runCli(['labels', 'merge', '--from', from, '--dataset', root]);
    assert.match(again.stdout, /0 good label rows/);
    assert.match(
      again.stdout,
      /rejected 5 duplicate\n/,
      'merging twice adds nothing: all five are duplicates now',
    );
  });

  it('names the flag when --from is missing', async () => {
    const r = await runCli(['labels', 'merge', '--dataset', root]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--from/);
  });
});
