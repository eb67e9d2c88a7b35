/** Shared shapes of the SKU110K data layer. */

export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];

/** One good annotation box. Coordinates are integer pixels, x2/y2 exclusive-style as in SKU110K (x2 > x1). */
export interface BoxRow {
  /** `${split}/${image}#${n}`: n counts every row of that image in its CSV (bad ones too), so dropping or
   * fixing a bad row never renumbers the good ones. */
  boxId: string;
  split: Split;
  image: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  imageWidth: number;
  imageHeight: number;
}

export interface ImageInfo {
  name: string;
  split: Split;
  width: number;
  height: number;
}

export interface ReasonExample {
  file: string;
  /** 1-based line number in `file` (0 when the finding concerns a whole file or image). */
  line: number;
  /** The offending line (or name), cut to 200 characters. */
  text: string;
  detail: string;
}

export interface ReasonCount {
  count: number;
  examples: ReasonExample[];
}

/** Why a row was rejected. Each rejected row is counted under exactly one reason (the first that applies). */
export const BAD_ROW_REASONS = [
  'malformed_row',
  'non_integer_coordinate',
  'inverted_coordinates',
  'zero_area_box',
  'box_outside_image',
  'image_size_mismatch',
  'missing_image',
  'unreadable_image',
  'unsafe_image_path',
  'duplicate_row',
] as const;
export type BadRowReason = (typeof BAD_ROW_REASONS)[number];

/** Findings that keep the row: reported so nobody is surprised, never counted as bad. */
export const WARNING_REASONS = [
  'box_clipped',
  'format_mismatch',
  'class_not_object',
  'unannotated_image',
  'unrecognised_file',
] as const;
export type WarningReason = (typeof WARNING_REASONS)[number];
