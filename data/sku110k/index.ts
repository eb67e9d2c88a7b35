export { CSV_COLUMNS, type CsvRow, csvLines, parseCsvRow } from './csv-row.js';
export {
  BadInputShareError,
  DatasetLayoutError,
  type IngestOptions,
  type IngestResult,
  ingestOptionsSchema,
  ingestSku110k,
} from './ingest.js';
export { resolveImageName } from './safe-path.js';
export { summariseReasons } from './tally.js';
export * from './types.js';
