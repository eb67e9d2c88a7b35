import { existsSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../../config/errors.js';
import { previewDataset } from '../../data/preview.js';
import { largeShelvesOptions, makeShelves, tinyShelvesOptions } from '../../data/shelves/make-shelves.js';
import { type Command, commandGroup, EXIT, parseFlags } from '../command.js';
import { DEFAULT_DATASET_LOCATION } from '../config-file.js';
import { intFlag, numberFlag, parseFlagValues } from './flags.js';

const CLASSES_RULE =
  'comma-separated class names, each NAME=LABEL with a Fashion-MNIST label 0-9 (with --tiny NAME is enough), ' +
  'at least two, unique, e.g. sandal=5,sneaker=7,bag=8';

/** `--classes sandal=5,sneaker=7,bag=8`: class name -> Fashion-MNIST label (undefined: --tiny picks a glyph). */
const ClassesFlag = z
  .string()
  .transform((s) => s.split(',').map((item) => item.trim()))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^[a-z0-9_-]+(=\d)?$/i, CLASSES_RULE)
          .transform((item) => {
            const [name = '', label] = item.split('=');
            return { name, label: label === undefined ? undefined : Number(label) };
          }),
      )
      .min(2, CLASSES_RULE)
      .refine((cs) => new Set(cs.map((c) => c.name)).size === cs.length, CLASSES_RULE),
  );

const MakeShelvesFlags = z.object({
  out: z.string().min(1).default(DEFAULT_DATASET_LOCATION),
  images: intFlag(1, 100_000, '100').default(100),
  seed: intFlag(-2_147_483_648, 2_147_483_647, '1').default(1),
  labelShare: numberFlag(0, 1, '0.3').optional(),
  classes: ClassesFlag.optional(),
  split: z.enum(['train', 't10k'], { error: "train or t10k (Fashion-MNIST's two image sets)" }).optional(),
  distractorShare: numberFlag(0, 1, '0.15').optional(),
});
type ClassFlag = z.output<typeof ClassesFlag>[number];

/** The generator's `classes` option: names only for glyphs, name -> garment label for Fashion-MNIST. */
function classMapping(classes: readonly ClassFlag[], tiny: boolean): Record<string, number> {
  if (!tiny && classes.some((c) => c.label === undefined)) {
    throw new UsageError(
      '--classes: Fashion-MNIST shelves need NAME=LABEL for every class, e.g. sandal=5,sneaker=7,bag=8 ' +
        '(or add --tiny for glyph products named by NAME alone)',
    );
  }
  return Object.fromEntries(classes.map((c, i) => [c.name, tiny ? i : (c.label ?? i)]));
}

const makeShelvesCommand: Command = {
  name: 'make-shelves',
  summary: 'generate an SKU110K-format shelf dataset (images, box CSVs, a labels.csv for some boxes)',
  usage: [
    'Usage: shelfssl data make-shelves [--out DIR] [--images N] [--seed S] [--tiny|--large] [--label-share X]',
    '                                  [--classes NAME=LABEL,...] [--split train|t10k]',
    '                                  [--distractor-share X] [--replace]',
    '',
    `Writes images/, annotations/ and labels.csv to --out (default ${DEFAULT_DATASET_LOCATION}, where \`shelfssl run\``,
    'looks by default). Products are Fashion-MNIST garments (Debian package dataset-fashion-mnist);',
    '--tiny uses small synthetic glyphs instead (no package, small images: for trying things quickly);',
    '--large writes SKU110K-sized photos (3000×4000, ~150 colourful products of 100–420 px) for scale runs.',
    '--label-share: share of class boxes listed in labels.csv (default 0.3); --images default 100, --seed 1.',
    '--classes: the products and the names labels.csv gives them, as NAME=LABEL with a Fashion-MNIST label',
    '(0 T-shirt/top, 1 Trouser, 2 Pullover, 3 Dress, 4 Coat, 5 Sandal, 6 Shirt, 7 Sneaker, 8 Bag, 9 Ankle boot),',
    "e.g. --classes sandal=5,sneaker=7,bag=8 (default: the demo's tshirt=0,pullover=2,dress=3,coat=4,shirt=6);",
    'with --tiny, names alone (one glyph each). A run on such data needs dataset.classes to match.',
    "--split: Fashion-MNIST's image set the products come from (default train; t10k for a source set that shares",
    'no image with a train-split target). --distractor-share: share of unlabelled distractor products (0.15).',
    'An --out that already holds images is refused (stale images would stay); --replace deletes its images/,',
    'annotations/ and labels.csv first. A dataset without test shelves is warned about.',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, {
      out: { type: 'string' },
      images: { type: 'string' },
      seed: { type: 'string' },
      tiny: { type: 'boolean' },
      large: { type: 'boolean' },
      'label-share': { type: 'string' },
      classes: { type: 'string' },
      split: { type: 'string' },
      'distractor-share': { type: 'string' },
      replace: { type: 'boolean' },
    });
    const flags = parseFlagValues(MakeShelvesFlags, {
      out: values.out,
      images: values.images,
      seed: values.seed,
      labelShare: values['label-share'],
      classes: values.classes,
      split: values.split,
      distractorShare: values['distractor-share'],
    });
    const tiny = values.tiny === true;
    if (tiny && values.large === true) throw new UsageError('--tiny and --large: choose one');
    clearPreviousDataset(flags.out, values.replace === true);
    const base = tiny
      ? tinyShelvesOptions(flags.out, flags.seed, flags.images)
      : values.large === true
        ? largeShelvesOptions(flags.out, flags.seed, flags.images)
        : { out: flags.out, images: flags.images, seed: flags.seed };
    const result = await makeShelves({
      ...base,
      ...(flags.labelShare !== undefined ? { labelShare: flags.labelShare } : {}),
      ...(flags.classes ? { classes: classMapping(flags.classes, tiny) } : {}),
      ...(flags.split ? { fashionMnistSplit: flags.split } : {}),
      ...(flags.distractorShare !== undefined ? { distractorShare: flags.distractorShare } : {}),
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
    if (!result.images.test)
      console.error(
        `shelfssl: warning: the test split has no images (--images ${flags.images}): evaluation ` +
          'needs test shelves; use more --images',
      );
    return EXIT.ok;
  },
};

/**
 * A folder that already holds generated images would keep stale ones the new dataset does not list (the
 * snapshot would see them, ingest would warn about them): refuse, or with --replace delete what the
 * generator writes (images/, annotations/, labels.csv) first.
 */
function clearPreviousDataset(out: string, replace: boolean): void {
  const images = path.join(out, 'images');
  const stale = existsSync(images) ? readdirSync(images).length : 0;
  if (stale === 0) return;
  if (!replace)
    throw new UsageError(
      `--out ${out}: already holds ${stale} file(s) in images/ (an earlier dataset?); choose an empty folder, ` +
        'or add --replace to delete its images/, annotations/ and labels.csv first',
    );
  for (const p of ['images', 'annotations', 'labels.csv'])
    rmSync(path.join(out, p), { recursive: true, force: true });
}

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
