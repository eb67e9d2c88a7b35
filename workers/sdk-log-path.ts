import path from 'node:path';

/** Where the Temporal SDK's log goes: a file under the data dir, not the user's terminal. */
export function sdkLogFile(dataDir: string): string {
  return path.join(dataDir, 'logs', 'temporal-sdk.log');
}
