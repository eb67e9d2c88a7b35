/**
 * The demo's product classes: five look-alike upper-body garments from Fashion-MNIST. Retail SKUs within a
 * category look alike, and an easy grouping (tops/trousers/shoes/...) saturates at ~94% with random features,
 * leaving self-supervision nothing to show (see shared/reference-notes.md).
 */
export const DEFAULT_CLASSES = ['tshirt', 'pullover', 'dress', 'coat', 'shirt'] as const;

/** Fashion-MNIST label → product class name, for the default look-alike mapping. */
export const DEFAULT_FASHION_MAPPING: Readonly<Record<string, number>> = {
  tshirt: 0,
  pullover: 2,
  dress: 3,
  coat: 4,
  shirt: 6,
};

/** Fashion-MNIST classes that may appear on shelves as unlabelled distractor products. */
export const DEFAULT_FASHION_DISTRACTORS: readonly number[] = [1, 5, 7, 8, 9];

export const FASHION_MNIST_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;
