import { Client, Connection } from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import { temporalConnectOptions } from '../config/temporal-connection.js';

/** A local or reachable server answers in milliseconds; a user should not wait 10 s to learn it is down. */
const CONNECT_TIMEOUT_MS = 2000;

/** Temporal did not answer: the message names the address, where it came from and what to do. */
export class ServerUnreachableError extends Error {
  override name = 'ServerUnreachableError';
}

export function unreachableMessage(settings: Settings, cause: string): string {
  return (
    `cannot reach Temporal at ${settings.temporal.address} (${cause}). ` +
    'Start the local servers with `shelfssl infra up` (data dir ' +
    `${settings.dataDir}), or point SHELFSSL_TEMPORAL_ADDRESS at your Temporal server`
  );
}

/** A Temporal client for the configured namespace; close the connection when done. */
export async function connectClient(
  settings: Settings,
  connectTimeoutMs = CONNECT_TIMEOUT_MS,
): Promise<{ client: Client; close: () => Promise<void> }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({
      ...temporalConnectOptions(settings.temporal),
      connectTimeout: connectTimeoutMs,
    });
  } catch (err) {
    throw new ServerUnreachableError(unreachableMessage(settings, (err as Error).message));
  }
  const client = new Client({ connection, namespace: settings.temporal.namespace });
  return { client, close: () => connection.close() };
}
