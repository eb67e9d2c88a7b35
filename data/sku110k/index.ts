export { CSV_COLUMNS, type CsvRow, csvLines, parseCsvRow } from './csv-row.js';
export {
  BadInputShareError,
  DatasetLayoutError,
  type IngestOptions,
  type IngestResult,
  type IngestSummary,
  ingestOptionsSchema,
  ingestSku110k,
  ingestSku110kStreamed,
} from './ingest.js';
export { resolveImageName } from './safe-path.js';
export { summariseReasons } from './tally.js';
export * from './types.js';
