// The paper's three experiments plus random init at ten times the demo's data (issue 15): the offline
// stand-ins for the public backbones are trained by a source run on Fashion-MNIST classes and images the
// target never contains, published as aliases, and imported by the target run like converted weights.
import type { MakeShelvesOptions } from '../data/shelves/make-shelves.js';
import { DEMO_ARCH, DEMO_HEADS, DEMO_SWAV, type RunConfigInput } from './demo-config.js';

/**
 * Target shelves: the demo's five look-alike garments from Fashion-MNIST's train split, 460 shelves
 * (~31,700 boxes), 70 % of product boxes labelled so the fixed ~15 % test region holds > 2,500 labelled crops.
 */
export const PAPER_TARGET_SHELVES: Omit<MakeShelvesOptions, 'out'> = {
  images: 460,
  seed: 15,
  labelShare: 0.7,
};

/**
 * Source shelves: the other five Fashion-MNIST classes (footwear, bags, trousers) from the t10k split, no
 * distractors, all labelled: disjoint from the target in classes and in images.
 */
export const PAPER_SOURCE_SHELVES: Omit<MakeShelvesOptions, 'out'> = {
  images: 200,
  seed: 16,
  labelShare: 1,
  classes: { trouser: 1, sandal: 5, sneaker: 7, bag: 8, boot: 9 },
  distractors: [],
  distractorShare: 0,
  fashionMnistSplit: 't10k',
};

/** The aliases the source run publishes and the target run imports (`model: alias:<name>`). */
export const PAPER_ALIASES: { supervised: string; swav: string } = {
  supervised: 'paper-supervised-source',
  swav: 'paper-swav-source',
};

/** SwAV as in the demo, 8 epochs: ~3,300 steps on the target's ~26,500 training-region crops. */
const PAPER_SWAV = { ...DEMO_SWAV, epochs: 8, checkpointEverySteps: 200 };

/** End-to-end supervised training on the source's labelled crops (~10,000 with 200 shelves). */
const PAPER_SUPERVISED = { arch: DEMO_ARCH, epochs: 6, batchSize: 64, lr: 0.05, seed: 1 };

/** Exp 1 and Exp 2 stand-ins: the same ResNet, trained on the source shelves (labels / no labels). */
export const PAPER_SOURCE_CONFIG: Omit<RunConfigInput, 'dataset'> = {
  name: 'paper-source',
  crop: { cropSize: 32 },
  backbones: [
    {
      name: 'supervised-source',
      kind: 'supervised',
      supervised: PAPER_SUPERVISED,
    },
    { name: 'swav-source', kind: 'swav', swav: PAPER_SWAV },
  ],
  // One head per backbone on the source's own classes: a sanity check that the source training learnt.
  heads: { modes: ['supervised'] },
  sweep: { fractions: [100], seeds: 1 },
  report: { title: 'shelfssl paper: source backbones (Fashion-MNIST footwear, bags, trousers; t10k images)' },
  champion: null,
};

/** The target run: random init, Exp 1 (supervised source), Exp 2 (SwAV source), Exp 3 (in-domain SwAV). */
export const PAPER_CONFIG: Omit<RunConfigInput, 'dataset'> = {
  name: 'paper',
  crop: { cropSize: 32 },
  backbones: [
    { name: 'random-init', kind: 'random', arch: DEMO_ARCH },
    {
      name: 'exp1-supervised-source',
      kind: 'imported',
      model: `alias:${PAPER_ALIASES.supervised}`,
      inputSize: 32,
      source: 'shelfssl paper: supervised ResNet-10 on 5 other Fashion-MNIST classes (t10k)',
    },
    {
      name: 'exp2-swav-source',
      kind: 'imported',
      model: `alias:${PAPER_ALIASES.swav}`,
      inputSize: 32,
      source: 'shelfssl paper: SwAV ResNet-10 on 5 other Fashion-MNIST classes (t10k)',
    },
    { name: 'exp3-swav', kind: 'swav', swav: PAPER_SWAV },
  ],
  heads: DEMO_HEADS,
  sweep: { fractions: [10, 20, 30, 40, 50, 100], seeds: 3 },
  report: { title: "shelfssl paper: Table 2's three experiments and random init on Fashion-MNIST shelves" },
  champion: null,
};

const SOURCE_CLASSES = Object.keys(PAPER_SOURCE_SHELVES.classes ?? {});

export function paperSourceConfig(
  location: string,
  source: Omit<RunConfigInput, 'dataset'> = PAPER_SOURCE_CONFIG,
): RunConfigInput {
  return structuredClone({ ...source, dataset: { location, classes: SOURCE_CLASSES } });
}

export function paperConfig(
  location: string,
  target: Omit<RunConfigInput, 'dataset'> = PAPER_CONFIG,
): RunConfigInput {
  return structuredClone({ ...target, dataset: { location } });
}

/**
 * `shelfssl paper --smoke`: the same two runs on ~20x less data, one SwAV epoch and two label fractions,
 * in their own dataset folders and aliases: minutes, to check the route before the hour-long run.
 */
export function smokePreset() {
  const swav = { ...PAPER_SWAV, epochs: 1, checkpointEverySteps: 50 };
  const aliases = { supervised: 'paper-smoke-supervised-source', swav: 'paper-smoke-swav-source' };
  const backbones = (PAPER_CONFIG.backbones ?? []).map((b) =>
    b.kind === 'swav'
      ? { ...b, swav }
      : b.kind === 'imported'
        ? { ...b, model: b.model.replace(/^alias:paper-/, 'alias:paper-smoke-') }
        : b,
  );
  const sourceBackbones = (PAPER_SOURCE_CONFIG.backbones ?? []).map((b) =>
    b.kind === 'swav'
      ? { ...b, swav }
      : b.kind === 'supervised'
        ? { ...b, supervised: { ...PAPER_SUPERVISED, epochs: 1 } }
        : b,
  );
  return {
    aliases,
    sourceShelves: { ...PAPER_SOURCE_SHELVES, images: 10 },
    targetShelves: { ...PAPER_TARGET_SHELVES, images: 24 },
    source: { ...PAPER_SOURCE_CONFIG, name: 'paper-smoke-source', backbones: sourceBackbones },
    target: { ...PAPER_CONFIG, name: 'paper-smoke', backbones, sweep: { fractions: [10, 100], seeds: 2 } },
  };
}

/** The full preset in the same shape as smokePreset. */
export function fullPreset() {
  return {
    aliases: PAPER_ALIASES,
    sourceShelves: PAPER_SOURCE_SHELVES,
    targetShelves: PAPER_TARGET_SHELVES,
    source: PAPER_SOURCE_CONFIG,
    target: PAPER_CONFIG,
  };
}
export type PaperPreset = ReturnType<typeof fullPreset>;
