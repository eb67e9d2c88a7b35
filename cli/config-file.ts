import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseOrThrow, UsageError } from '../config/errors.js';
import { type RunConfig, RunConfigSchema } from '../pipelines/paper.js';

/** Where `shelfssl data make-shelves` writes by default, and so where a run without a config looks. */
export const DEFAULT_DATASET_LOCATION = '.shelfssl/shelves';

export interface RunConfigOverrides {
  /** `--dataset DIR`: replaces `dataset.location`. */
  dataset?: string;
  /** `sweep --fractions/--seeds`: replace the config's sweep values. */
  sweep?: { fractions?: number[]; seeds?: number };
}

/** Reads a run config (YAML, or JSON by extension) as an untyped value; a syntax error names the file. */
export function readRunConfigFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`--config ${file}: cannot read it (${(err as Error).message})`);
  }
  try {
    return file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UsageError(
      `--config ${file}: not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${(err as Error).message}`,
    );
  }
}

/**
 * A local dataset path is made absolute so the plan (and its cache keys) mean the same folder for a worker
 * started elsewhere: relative to the config file when it comes from one, else to the working directory.
 */
function absoluteLocation(location: string, base: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(location) ? location : path.resolve(base, location);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Loads and validates a run config: file values, then flag overrides, then RunConfigSchema. Overrides are
 * applied before validation, so `--dataset` can stand in for a missing `dataset.location`; every problem is
 * reported with its field path and value (exit 2).
 */
export function loadRunConfig(
  file: string | undefined,
  overrides: RunConfigOverrides = {},
  cwd = process.cwd(),
  warn: (line: string) => void = (l) => console.error(l),
): RunConfig {
  const raw =
    file === undefined ? { dataset: { location: DEFAULT_DATASET_LOCATION } } : readRunConfigFile(file);
  const base = file === undefined ? cwd : path.dirname(path.resolve(cwd, file));
  const config: Record<string, unknown> = isRecord(raw) ? { ...raw } : {};
  if (!isRecord(raw) && raw !== null && raw !== undefined)
    throw new UsageError(`--config ${file}: expected a mapping of run settings at the top level`);
  const dataset = isRecord(config.dataset) ? { ...config.dataset } : config.dataset;
  if (isRecord(dataset)) {
    if (overrides.dataset !== undefined) dataset.location = path.resolve(cwd, overrides.dataset);
    else if (typeof dataset.location === 'string' && dataset.location.length > 0)
      dataset.location = absoluteLocation(dataset.location, base);
    config.dataset = dataset;
  } else if (dataset === undefined && overrides.dataset !== undefined) {
    config.dataset = { location: path.resolve(cwd, overrides.dataset) };
  }
  if (overrides.sweep) {
    const sweep = isRecord(config.sweep) ? config.sweep : {};
    config.sweep = { ...sweep, ...withoutUndefined(overrides.sweep) };
  }
  const parsed = parseOrThrow(
    RunConfigSchema,
    config,
    file === undefined ? 'run config' : `config file ${file}`,
  );
  for (const line of runConfigWarnings(parsed)) warn(`shelfssl: warning: ${line}`);
  return parsed;
}

/** Valid but probably not meant: `sweep.fractions: [0.5]` is 0.5 %, where a user often means 50 %. */
export function runConfigWarnings(config: RunConfig): string[] {
  return config.sweep.fractions
    .filter((f) => f <= 1)
    .map(
      (f) =>
        `sweep.fractions: ${f} means ${f} % of the labels; did you mean ${+(f * 100).toFixed(4)} %? ` +
        `(fractions are percentages: write ${+(f * 100).toFixed(4)})`,
    );
}

function withoutUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
