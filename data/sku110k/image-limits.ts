// Input limits as pure constants (no sharp): the stage declarations, which workflows import, use them too.

/**
 * Largest image ingest accepts by default: 40 megapixels (SKU110K's largest are ~12), 120 MB as decoded RGB.
 * Crop decodes `crop` concurrency (2) images at once, so decoding holds at most ~240 MB at this setting.
 */
export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000;
/** The most `ingest.maxImagePixels` may be raised to (libvips' own default limit, 16383²: ~805 MB as RGB). */
export const MAX_IMAGE_PIXELS_LIMIT = 268_402_689;
/** Annotation rows ingest holds by default (SKU110K has ~1.7 M boxes): about 3 GB of memory at ~1.5 KB a row. */
export const DEFAULT_MAX_ROWS = 2_000_000;
export const MAX_ROWS_LIMIT = 50_000_000;
