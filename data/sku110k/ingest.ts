import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { mapLimited } from '../concurrency.js';
import { csvLinesOfFile, type LineDecode, parseCsvRow } from './csv-row.js';
import {
  DEFAULT_MAX_IMAGE_PIXELS,
  DEFAULT_MAX_ROWS,
  MAX_IMAGE_PIXELS_LIMIT,
  MAX_ROWS_LIMIT,
} from './image-limits.js';
import { type ImageProbe, probeImage } from './probe-image.js';
import { confinedFile, resolveImageName } from './safe-path.js';
import { ReasonTally, summariseReasons } from './tally.js';
import {
  BAD_ROW_REASONS,
  type BadRowReason,
  type BoxRow,
  type ImageInfo,
  type ReasonCount,
  type ReasonExample,
  SPLITS,
  type Split,
  WARNING_REASONS,
  type WarningReason,
} from './types.js';

export const ingestOptionsSchema = z.object({
  root: z.string().min(1, 'root: give the dataset folder that holds images/ and annotations/'),
  maxBadShare: z.number().min(0).max(1, 'maxBadShare is a fraction between 0 and 1, e.g. 0.05').default(0.05),
  /** `clip`: boxes poking out of the image are cut to it and kept (counted in warnings.box_clipped).
   * `drop`: such boxes are rejected as box_outside_image. Boxes wholly outside are rejected either way. */
  boxPolicy: z.enum(['clip', 'drop']).default('clip'),
  examplesPerReason: z.number().int().min(0).default(5),
  /** `header` (default) checks size and end markers; `decode` also decodes every image (slow on SKU110K). */
  verify: z.enum(['header', 'decode']).default('header'),
  /** Images probed at once (file read + header parse). */
  concurrency: z.number().int().min(1).max(64).default(4),
  /** Annotation rows (all CSVs together) beyond which ingest fails rather than exhaust the worker's memory. */
  maxRows: z.number().int().min(1).max(MAX_ROWS_LIMIT).default(DEFAULT_MAX_ROWS),
  /** Images with more pixels are rejected (unreadable_image) before anything decodes them. */
  maxImagePixels: z.number().int().min(1).max(MAX_IMAGE_PIXELS_LIMIT).default(DEFAULT_MAX_IMAGE_PIXELS),
});
export type IngestOptions = z.input<typeof ingestOptionsSchema>;

export interface IngestResult {
  boxes: BoxRow[];
  images: ImageInfo[];
  counts: {
    /** Non-blank CSV lines read. */
    rows: number;
    goodBoxes: number;
    badRows: number;
    /** Images with at least one good box. */
    images: number;
    bySplit: Record<Split, { rows: number; goodBoxes: number; images: number }>;
  };
  bad: Record<BadRowReason, ReasonCount>;
  warnings: Record<WarningReason, ReasonCount>;
}

/** What ingest counted, without the boxes themselves (the streamed ingest writes those to a file). */
export type IngestSummary = Omit<IngestResult, 'boxes'>;

/** Thrown after a full pass when too many rows were bad; `result` holds everything that was counted. */
export class BadInputShareError extends Error {
  override name = 'BadInputShareError';
  constructor(
    message: string,
    readonly result: IngestSummary,
  ) {
    super(message);
  }
}

/** Thrown when the folder is not shaped like SKU110K at all (no row-level accounting is possible). */
export class DatasetLayoutError extends Error {
  override name = 'DatasetLayoutError';
}

interface Candidate {
  file: string;
  line: number;
  text: string;
  split: Split;
  boxId: string;
  image: string;
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  csvWidth: number;
  csvHeight: number;
  className: string;
}

const CSV_NAME = /^annotations_(train|val|test)\.csv$/;

/**
 * Reads an SKU110K-shaped folder (`images/*.jpg`, `annotations/annotations_{train,val,test}.csv`), validates
 * every row and image, and returns the good boxes with bad rows counted by reason. It never stops at a bad
 * row; it throws BadInputShareError only at the end, when bad rows exceed `maxBadShare` of all rows.
 */
export async function ingestSku110k(options: IngestOptions): Promise<IngestResult> {
  const opts = ingestOptionsSchema.parse(options);
  const imagesDir = path.join(opts.root, 'images');
  const bad = new ReasonTally(BAD_ROW_REASONS, opts.examplesPerReason);
  const warnings = new ReasonTally(WARNING_REASONS, opts.examplesPerReason);
  const candidates: Candidate[] = [];
  const rowsBySplit = await readAllRows(opts, bad, warnings, (c) => {
    candidates.push(c);
  });
  const probes = await probeAll(imagesDir, imageNames(candidates), opts);
  const summary = new SummaryBuilder(probes);
  const boxes: BoxRow[] = [];
  for (const c of candidates) {
    const box = acceptRow(c, probes, opts.boxPolicy, bad, warnings);
    if (box) {
      boxes.push(box);
      summary.add(box);
    }
  }
  const result = { boxes, ...(await finish(opts, imagesDir, probes, summary, rowsBySplit, bad, warnings)) };
  return result;
}

/**
 * The same checks, counts and accepted boxes as `ingestSku110k`, but the boxes go to `sink` one at a time (in
 * CSV order) instead of into an array: the CSVs are read twice (row checks and image names; then, with the
 * images probed, the image checks), so memory holds the photos' probes and one row, not every row.
 */
export async function ingestSku110kStreamed(
  options: IngestOptions,
  sink: (box: BoxRow) => Promise<void>,
): Promise<IngestSummary> {
  const opts = ingestOptionsSchema.parse(options);
  const imagesDir = path.join(opts.root, 'images');
  const bad = new ReasonTally(BAD_ROW_REASONS, opts.examplesPerReason);
  const warnings = new ReasonTally(WARNING_REASONS, opts.examplesPerReason);
  const names = new Set<string>();
  const rowsBySplit = await readAllRows(opts, bad, warnings, (c) => {
    names.add(c.image);
  });
  const probes = await probeAll(imagesDir, [...names], opts);
  const summary = new SummaryBuilder(probes);
  // Second pass: the row checks again (counted already: their tallies are thrown away), then the image checks.
  const again = {
    bad: new ReasonTally(BAD_ROW_REASONS, 0),
    warnings: new ReasonTally(WARNING_REASONS, 0),
  };
  await readAllRows(opts, again.bad, again.warnings, async (c) => {
    const box = acceptRow(c, probes, opts.boxPolicy, bad, warnings);
    if (!box) return;
    summary.add(box);
    await sink(box);
  });
  return await finish(opts, imagesDir, probes, summary, rowsBySplit, bad, warnings);
}

type ParsedIngestOptions = z.output<typeof ingestOptionsSchema>;

/** Every CSV's rows through the row-level checks; each good row goes to `onRow`. Returns rows per split. */
async function readAllRows(
  opts: ParsedIngestOptions,
  bad: ReasonTally<BadRowReason>,
  warnings: ReasonTally<WarningReason>,
  onRow: (c: Candidate) => void | Promise<void>,
): Promise<Record<Split, number>> {
  const imagesDir = path.join(opts.root, 'images');
  const csvFiles = await findAnnotationCsvs(opts.root);
  const rowsBySplit: Record<Split, number> = { train: 0, val: 0, test: 0 };
  for (const { split, file, unrecognised } of csvFiles) {
    if (unrecognised) {
      warnings.add('unrecognised_file', {
        file,
        line: 0,
        text: file,
        detail: 'not annotations_{train,val,test}.csv; ignored',
      });
      continue;
    }
    const lines = csvLinesOfFile(await annotationCsvPath(opts.root, file));
    const budget = opts.maxRows - SPLITS.reduce((sum, s) => sum + rowsBySplit[s], 0);
    rowsBySplit[split] += await collectRows(lines, file, split, imagesDir, bad, warnings, onRow, budget);
  }
  return rowsBySplit;
}

/** The checks and counts after the boxes: unannotated images, the summary, the bad-share limit. */
async function finish(
  opts: ParsedIngestOptions,
  imagesDir: string,
  probes: ReadonlyMap<string, ImageProbe>,
  summary: SummaryBuilder,
  rowsBySplit: Record<Split, number>,
  bad: ReasonTally<BadRowReason>,
  warnings: ReasonTally<WarningReason>,
): Promise<IngestSummary> {
  noteFormatMismatches(probes, warnings);
  await noteUnannotatedImages(imagesDir, probes, warnings);
  const result = summary.result(rowsBySplit, bad, warnings);
  if (result.counts.rows > 0 && result.counts.badRows / result.counts.rows > opts.maxBadShare) {
    const share = ((100 * result.counts.badRows) / result.counts.rows).toFixed(1);
    throw new BadInputShareError(
      `${result.counts.badRows} of ${result.counts.rows} annotation rows (${share}%) are bad, above maxBadShare ` +
        `${opts.maxBadShare}. Fix the data or raise maxBadShare. By reason:\n${summariseReasons(result.bad)}`,
      result,
    );
  }
  return result;
}

/** The CSV's real path, refusing a link out of the dataset folder or anything but a regular file. */
async function annotationCsvPath(root: string, file: string): Promise<string> {
  const csv = await confinedFile(root, `annotations/${file}`, {
    thing: 'annotation CSV',
    folder: 'the dataset folder',
  });
  if (!csv.ok) throw new DatasetLayoutError(`annotations/${file}: ${csv.detail}`);
  return csv.path;
}

async function findAnnotationCsvs(
  root: string,
): Promise<Array<{ split: Split; file: string; unrecognised: boolean }>> {
  const dir = path.join(root, 'annotations');
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    throw new DatasetLayoutError(
      `no annotations/ folder in ${root}: expected annotations/annotations_{train,val,test}.csv`,
    );
  }
  const files = names
    .filter((name) => name.endsWith('.csv'))
    .map((file) => {
      const split = CSV_NAME.exec(file)?.[1] as Split | undefined;
      return { split: split ?? 'train', file, unrecognised: split === undefined };
    })
    .sort((a, b) => SPLITS.indexOf(a.split) - SPLITS.indexOf(b.split) || a.file.localeCompare(b.file));
  if (!files.some((f) => !f.unrecognised)) {
    throw new DatasetLayoutError(
      `no annotations_{train,val,test}.csv in ${dir} (found: ${names.join(', ') || 'nothing'})`,
    );
  }
  try {
    await stat(path.join(root, 'images'));
  } catch {
    throw new DatasetLayoutError(`no images/ folder in ${root}`);
  }
  return files;
}

/** Row-level checks that need no image. Returns the number of rows read. */
async function collectRows(
  lines: AsyncIterable<LineDecode>,
  file: string,
  split: Split,
  imagesDir: string,
  bad: ReasonTally<BadRowReason>,
  warnings: ReasonTally<WarningReason>,
  onRow: (c: Candidate) => void | Promise<void>,
  maxRows: number,
): Promise<number> {
  let rows = 0;
  const rowsPerImage = new Map<string, number>();
  const seen = new Set<string>();
  for await (const decoded of lines) {
    rows++;
    if (rows > maxRows) {
      throw new DatasetLayoutError(
        `annotations/${file}: more than ingest.maxRows annotation rows in all: every row is held in memory ` +
          '(about 1.5 KB each), so raise ingest.maxRows only on a worker with the memory for it',
      );
    }
    if (!decoded.ok) {
      bad.add('malformed_row', { file, line: decoded.line, text: decoded.text, detail: decoded.detail });
      continue;
    }
    const { line, text } = decoded.line;
    const parsed = parseCsvRow(text);
    if (!parsed.ok) {
      bad.add(parsed.reason, { file, line, text, detail: parsed.detail });
      continue;
    }
    const row = parsed.row;
    const n = rowsPerImage.get(row.image) ?? 0;
    rowsPerImage.set(row.image, n + 1);
    const example: ReasonExample = { file, line, text, detail: '' };
    const reject = (reason: BadRowReason, detail: string): void => bad.add(reason, { ...example, detail });
    const safe = resolveImageName(imagesDir, row.image);
    if (!safe.ok) {
      reject('unsafe_image_path', `${safe.detail}; the image was not read`);
      continue;
    }
    if (row.x2 < row.x1 || row.y2 < row.y1) {
      reject(
        'inverted_coordinates',
        `need x1 <= x2 and y1 <= y2, got (${row.x1},${row.y1})-(${row.x2},${row.y2})`,
      );
      continue;
    }
    if (row.x2 === row.x1 || row.y2 === row.y1) {
      reject('zero_area_box', `box (${row.x1},${row.y1})-(${row.x2},${row.y2}) has no area`);
      continue;
    }
    const key = `${row.image}|${row.x1}|${row.y1}|${row.x2}|${row.y2}`;
    if (seen.has(key)) {
      reject('duplicate_row', 'same image and box as an earlier row in this file; the first is kept');
      continue;
    }
    seen.add(key);
    if (row.className !== 'object') {
      warnings.add('class_not_object', { ...example, detail: `class '${row.className}' kept as a box` });
    }
    // Awaited only when the callback is async (the streamed pass): a microtask per row costs the other pass.
    const pending = onRow({
      file,
      line,
      text,
      split,
      boxId: `${split}/${row.image}#${n}`,
      image: row.image,
      x1: row.x1,
      y1: row.y1,
      x2: row.x2,
      y2: row.y2,
      csvWidth: row.imageWidth,
      csvHeight: row.imageHeight,
      className: row.className,
    });
    if (pending) await pending;
  }
  return rows;
}

/** Image names in order of first appearance. */
function imageNames(candidates: readonly Candidate[]): string[] {
  return [...new Set(candidates.map((c) => c.image))];
}

async function probeAll(
  imagesDir: string,
  names: readonly string[],
  opts: Pick<ParsedIngestOptions, 'verify' | 'concurrency' | 'maxImagePixels'>,
): Promise<Map<string, ImageProbe>> {
  const probes = await mapLimited(names, opts.concurrency, (name) =>
    probeImage(imagesDir, name, opts.verify, opts.maxImagePixels),
  );
  return new Map(names.map((name, i) => [name, probes[i]!]));
}

/** Image-dependent checks of one row (callers keep CSV order, so box order downstream is deterministic). */
function acceptRow(
  c: Candidate,
  probes: ReadonlyMap<string, ImageProbe>,
  boxPolicy: 'clip' | 'drop',
  bad: ReasonTally<BadRowReason>,
  warnings: ReasonTally<WarningReason>,
): BoxRow | undefined {
  const probe = probes.get(c.image)!;
  const example: ReasonExample = { file: c.file, line: c.line, text: c.text, detail: '' };
  if (!probe.ok) {
    bad.add(probe.reason, { ...example, detail: probe.detail });
    return undefined;
  }
  if (probe.width !== c.csvWidth || probe.height !== c.csvHeight) {
    const detail = `CSV says ${c.csvWidth}x${c.csvHeight}, the file is ${probe.width}x${probe.height}`;
    bad.add('image_size_mismatch', { ...example, detail });
    return undefined;
  }
  const clipped = {
    x1: Math.max(0, c.x1),
    y1: Math.max(0, c.y1),
    x2: Math.min(probe.width, c.x2),
    y2: Math.min(probe.height, c.y2),
  };
  const outside = clipped.x1 !== c.x1 || clipped.y1 !== c.y1 || clipped.x2 !== c.x2 || clipped.y2 !== c.y2;
  if (outside) {
    const detail = `box (${c.x1},${c.y1})-(${c.x2},${c.y2}) leaves the ${probe.width}x${probe.height} image`;
    if (boxPolicy === 'drop' || clipped.x2 <= clipped.x1 || clipped.y2 <= clipped.y1) {
      bad.add('box_outside_image', { ...example, detail });
      return undefined;
    }
    warnings.add('box_clipped', { ...example, detail: `${detail}; clipped` });
  }
  return {
    boxId: c.boxId,
    split: c.split,
    image: c.image,
    ...clipped,
    imageWidth: probe.width,
    imageHeight: probe.height,
  };
}

/** A PNG (or other format) named .jpg is accepted: the pixels decode fine and boxes refer to them. */
function noteFormatMismatches(
  probes: ReadonlyMap<string, ImageProbe>,
  warnings: ReasonTally<WarningReason>,
): void {
  for (const [name, probe] of probes) {
    if (!probe.ok) continue;
    const claimsJpeg = /\.jpe?g$/i.test(name);
    if (claimsJpeg !== (probe.format === 'jpeg')) {
      warnings.add('format_mismatch', {
        file: `images/${name}`,
        line: 0,
        text: name,
        detail: `content is ${probe.format}; accepted, since it decodes`,
      });
    }
  }
}

async function noteUnannotatedImages(
  imagesDir: string,
  probes: ReadonlyMap<string, ImageProbe>,
  warnings: ReasonTally<WarningReason>,
): Promise<void> {
  for (const name of (await readdir(imagesDir)).sort()) {
    if (!probes.has(name)) {
      warnings.add('unannotated_image', {
        file: `images/${name}`,
        line: 0,
        text: name,
        detail: 'no CSV row names it',
      });
    }
  }
}

/** Counts boxes per split and lists each (split, image) once, fed one accepted box at a time. */
class SummaryBuilder {
  private readonly images: ImageInfo[] = [];
  private readonly seen = new Set<string>();
  private readonly goodBySplit: Record<Split, number> = { train: 0, val: 0, test: 0 };
  private readonly imagesBySplit: Record<Split, number> = { train: 0, val: 0, test: 0 };
  private goodBoxes = 0;

  constructor(private readonly probes: ReadonlyMap<string, ImageProbe>) {}

  add(box: BoxRow): void {
    this.goodBoxes++;
    this.goodBySplit[box.split]++;
    const key = `${box.split}/${box.image}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const probe = this.probes.get(box.image);
    if (!probe?.ok) return;
    this.images.push({ name: box.image, split: box.split, width: probe.width, height: probe.height });
    this.imagesBySplit[box.split]++;
  }

  result(
    rowsBySplit: Record<Split, number>,
    bad: ReasonTally<BadRowReason>,
    warnings: ReasonTally<WarningReason>,
  ): IngestSummary {
    const bySplit = Object.fromEntries(
      SPLITS.map((s) => [
        s,
        { rows: rowsBySplit[s], goodBoxes: this.goodBySplit[s], images: this.imagesBySplit[s] },
      ]),
    ) as IngestResult['counts']['bySplit'];
    const rows = SPLITS.reduce((sum, s) => sum + rowsBySplit[s], 0);
    return {
      images: this.images,
      counts: {
        rows,
        goodBoxes: this.goodBoxes,
        badRows: bad.total(),
        images: this.images.length,
        bySplit,
      },
      bad: bad.toJSON(),
      warnings: warnings.toJSON(),
    };
  }
}
