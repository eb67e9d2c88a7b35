import { labelSeed } from '../../ml/random.js';

/**
 * Whether a box belongs to the held-out region the fixed test split is drawn from: a seeded hash of its box id
 * below `testShare`. It depends on nothing but the box, so adding or fixing labels never moves a crop in or out
 * of it: self-supervised pretraining can leave the region out without reading labels.csv, and a labelled box
 * there is a test crop for good (about `testShare` of every class in expectation, not exactly).
 */
export function isHeldOut(boxId: string, seed: number, testShare: number): boolean {
  return labelSeed(seed, `held-out/${boxId}`) / 2 ** 32 < testShare;
}
