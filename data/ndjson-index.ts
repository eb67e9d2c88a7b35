import { createReadStream } from 'node:fs';
import { type FileHandle, open, readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { formatZodError } from '../config/errors.js';

/**
 * Indexes that grow with the dataset (boxes, the crop pool's entries, the features' entries) are a small JSON
 * header (format, version, count, shards...) plus one NDJSON record per line beside it: writers append a line
 * at a time and readers iterate a line at a time, so neither holds the whole index (or a string of it).
 */

/** An index or its records file is not what the header or schema says: a fact of the file, re-run its step. */
export class IndexFileError extends Error {
  override name = 'IndexFileError';
}

export interface RecordsSource {
  /** Local path of the .ndjson file (named in every error). */
  file: string;
  /** The pipeline step that writes it, for the fix: "re-run the <step> step". */
  step: string;
  /** Records the header says the file holds. */
  count: number;
}

/**
 * Reads and validates a header document. An index of an older format (one JSON document holding every
 * entry, no NDJSON beside it) gets its own message instead of a list of schema complaints.
 */
export async function readIndexHeader<S extends z.ZodType>(
  file: string,
  schema: S,
  expect: { format: string; version: number; step: string },
): Promise<z.output<S>> {
  const fix = `re-run the ${expect.step} step to rewrite it`;
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    throw new IndexFileError(`${file}: not a readable JSON header (${(err as Error).message}); ${fix}`);
  }
  return parseIndexHeader(value, file, schema, expect);
}

/** parseIndexHeader on a value already read (e.g. through an artefact's declared JSON schema). */
export function parseIndexHeader<S extends z.ZodType>(
  value: unknown,
  where: string,
  schema: S,
  expect: { format: string; version: number; step: string },
): z.output<S> {
  const fix = `re-run the ${expect.step} step to rewrite it`;
  const head = (value ?? {}) as { format?: unknown; version?: unknown; entries?: unknown; boxes?: unknown };
  const old = Array.isArray(head.entries) || Array.isArray(head.boxes);
  if (old || (typeof head.version === 'number' && head.version < expect.version)) {
    throw new IndexFileError(
      `${where}: an index in the old single-document format (version ${String(head.version ?? 1)}, every ` +
        `entry inside it); this version reads a header with version ${expect.version} and its records as ` +
        `NDJSON beside it: ${fix} (its cache key changed, so a new run recomputes it)`,
    );
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new IndexFileError(`${formatZodError(parsed.error, where)} (${fix})`);
  return parsed.data;
}

/**
 * Yields every record of an NDJSON file, parsed by `schema`, reading the file in chunks. Errors name the file,
 * the 1-based line and the field; a last line without its newline (a cut-off upload or copy) and a record
 * count other than the header's (a file of another run, or truncated) are detected too.
 */
export async function* readNdjsonRecords<S extends z.ZodType>(
  source: RecordsSource,
  schema: S,
): AsyncGenerator<z.output<S>> {
  const fix = `re-run the ${source.step} step to rewrite it`;
  let line = 0;
  for await (const text of linesOf(source.file, fix)) {
    line++;
    const where = `${source.file} line ${line}`;
    if (line > source.count)
      throw new IndexFileError(`${where}: more records than the ${source.count} its header counts; ${fix}`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw new IndexFileError(`${where}: not a JSON record (${(err as Error).message}); ${fix}`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new IndexFileError(`${formatZodError(parsed.error, where)} (${fix})`);
    yield parsed.data;
  }
  if (line !== source.count) {
    throw new IndexFileError(
      `${source.file}: ${line} records, but its header counts ${source.count} (truncated or from another ` +
        `run); ${fix}`,
    );
  }
}

/** Every record, collected: for readers that need them all and are bounded by something else (labels). */
export async function collectRecords<S extends z.ZodType>(
  source: RecordsSource,
  schema: S,
): Promise<z.output<S>[]> {
  const out: z.output<S>[] = [];
  for await (const record of readNdjsonRecords(source, schema)) out.push(record);
  return out;
}

/** Lines of a UTF-8 file without their '\n'; throws when the last one has none (a cut-off file). */
async function* linesOf(file: string, fix: string): AsyncGenerator<string> {
  let rest = '';
  let lines = 0;
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 });
  for await (const chunk of stream as AsyncIterable<string>) {
    const parts = (rest + chunk).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) {
      lines++;
      yield part;
    }
  }
  if (rest !== '') {
    throw new IndexFileError(
      `${file} line ${lines + 1}: the file ends inside a record (no newline after it: truncated); ${fix}`,
    );
  }
}

/** Appends records, one JSON line each, batched into large writes; `close` returns how many were written. */
export class NdjsonWriter<T> {
  private handle: FileHandle | null = null;
  private pending: string[] = [];
  private pendingChars = 0;
  private written = 0;

  private constructor(readonly file: string) {}

  static async open<T>(file: string): Promise<NdjsonWriter<T>> {
    const writer = new NdjsonWriter<T>(file);
    writer.handle = await open(file, 'w');
    return writer;
  }

  get count(): number {
    return this.written;
  }

  async write(record: T): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    this.pending.push(line);
    this.pendingChars += line.length;
    this.written++;
    if (this.pendingChars >= 1 << 20) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.pending.length === 0) return;
    await this.require().write(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
  }

  async close(): Promise<number> {
    await this.flush();
    await this.require().close();
    this.handle = null;
    return this.written;
  }

  private require(): FileHandle {
    if (!this.handle) throw new Error(`${this.file}: NdjsonWriter used after close()`);
    return this.handle;
  }
}
