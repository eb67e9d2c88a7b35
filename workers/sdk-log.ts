import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, type LogEntry, Runtime } from '@temporalio/worker';

export { sdkLogFile } from './sdk-log-path.js';

type Level = 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

let installedFile: string | undefined;

function line(entry: LogEntry): string {
  const meta = entry.meta && Object.keys(entry.meta).length > 0 ? ` ${safeJson(entry.meta)}` : '';
  const at = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  return `${at} [${entry.level}] pid ${process.pid} ${entry.message}${meta}\n`;
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v, (_k, x) => (x instanceof Error ? { message: x.message, stack: x.stack } : x));
  } catch {
    return String(v);
  }
}

/**
 * Installs the SDK runtime once per process with its log (worker state changes, "No workflows registered",
 * activity failures with their stack traces) appended to `file`; SHELFSSL_LOG_LEVEL (default WARN) sets
 * the level. Returns the file, which `run --verbose` and a failed run name.
 */
export function installSdkLog(file: string): string {
  if (installedFile !== undefined) return installedFile;
  installedFile = file;
  mkdirSync(path.dirname(file), { recursive: true });
  const level = (process.env.SHELFSSL_LOG_LEVEL as Level | undefined) ?? 'WARN';
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      try {
        appendFileSync(file, line(entry));
      } catch {
        // A log that cannot be written must never fail a worker.
      }
    }),
  });
  return file;
}
