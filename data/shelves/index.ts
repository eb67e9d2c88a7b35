export { composeShelf, type PlacedProduct, type ShelfLayout } from './compose-shelf.js';
export {
  largeShelvesOptions,
  type MakeShelvesOptions,
  type MakeShelvesResult,
  makeShelves,
  makeShelvesOptionsSchema,
  tinyShelvesOptions,
} from './make-shelves.js';
export { fashionMnistSource, glyphSource, ITEM_SIZE, type ProductSource } from './product-source.js';
