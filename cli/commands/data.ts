import { z } from 'zod';
import { previewDataset } from '../../data/preview.js';
import { makeShelves, tinyShelvesOptions } from '../../data/shelves/make-shelves.js';
import { type Command, commandGroup, EXIT, parseFlags } from '../command.js';
import { DEFAULT_DATASET_LOCATION } from '../config-file.js';
import { intFlag, numberFlag, parseFlagValues } from './flags.js';

const MakeShelvesFlags = z.object({
  out: z.string().min(1).default(DEFAULT_DATASET_LOCATION),
  images: intFlag(1, 100_000, '100').default(100),
  seed: intFlag(-2_147_483_648, 2_147_483_647, '1').default(1),
  labelShare: numberFlag(0, 1, '0.3').optional(),
});

const makeShelvesCommand: Command = {
  name: 'make-shelves',
  summary: 'generate an SKU110K-format shelf dataset (images, box CSVs, a labels.csv for some boxes)',
  usage: [
    'Usage: shelfssl data make-shelves [--out DIR] [--images N] [--seed S] [--tiny] [--label-share X]',
    '',
    `Writes images/, annotations/ and labels.csv to --out (default ${DEFAULT_DATASET_LOCATION}, where \`shelfssl run\``,
    'looks by default). Products are Fashion-MNIST garments (Debian package dataset-fashion-mnist);',
    '--tiny uses small synthetic glyphs instead (no package, small images: for trying things quickly).',
    '--label-share: share of class boxes listed in labels.csv (default 0.3); --images default 100, --seed 1.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, {
      out: { type: 'string' },
      images: { type: 'string' },
      seed: { type: 'string' },
      tiny: { type: 'boolean' },
      'label-share': { type: 'string' },
    });
    const flags = parseFlagValues(MakeShelvesFlags, {
      out: values.out,
      images: values.images,
      seed: values.seed,
      labelShare: values['label-share'],
    });
    const base = values.tiny
      ? tinyShelvesOptions(flags.out, flags.seed, flags.images)
      : { out: flags.out, images: flags.images, seed: flags.seed };
    const result = await makeShelves({
      ...base,
      ...(flags.labelShare !== undefined ? { labelShare: flags.labelShare } : {}),
    });
    console.log(`dataset ${result.root}`);
    console.log(
      `images  ${Object.entries(result.images)
        .map(([s, n]) => `${s} ${n}`)
        .join(', ')}`,
    );
    console.log(
      `boxes   ${result.boxes} (${result.classBoxes} products of ${result.classes.length} classes, ${result.distractorBoxes} distractors)`,
    );
    console.log(
      `labels  ${result.labelled} in labels.csv: ${Object.entries(result.labelledPerClass)
        .map(([c, n]) => `${c} ${n}`)
        .join(', ')}`,
    );
    return EXIT.ok;
  },
};

const previewCommand: Command = {
  name: 'preview',
  summary: 'draw PNGs to eyeball a dataset: a shelf with its boxes (and a crop contact sheet)',
  usage: [
    'Usage: shelfssl data preview --dataset DIR --out DIR [--crops DIR]',
    '',
    'Writes shelf.png (one shelf image, labelled boxes in their class colour, the rest white) and, with --crops',
    '(a crop output folder holding labelled/ and unlabelled/), crops.png (a row of crops per class).',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, {
      dataset: { type: 'string' },
      out: { type: 'string' },
      crops: { type: 'string' },
    });
    const flags = parseFlagValues(
      z.object({
        dataset: z.string({ error: 'required: the dataset folder (images/, annotations/)' }).min(1),
        out: z.string({ error: 'required: the folder to write the PNGs into' }).min(1),
        crops: z.string().min(1).optional(),
      }),
      values,
    );
    const written = await previewDataset({
      root: flags.dataset,
      out: flags.out,
      ...(flags.crops ? { cropDir: flags.crops } : {}),
    });
    for (const file of [written.shelf, written.contactSheet]) if (file) console.log(file);
    return EXIT.ok;
  },
};

export const dataCommand = commandGroup('data', 'make and look at datasets (local files only)', [
  makeShelvesCommand,
  previewCommand,
]);
