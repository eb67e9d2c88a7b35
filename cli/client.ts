import { Client, Connection } from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import { temporalConnectOptions } from '../config/temporal-connection.js';

/** A Temporal client for the configured namespace; close the connection when done. */
export async function connectClient(
  settings: Settings,
): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect(temporalConnectOptions(settings.temporal));
  const client = new Client({ connection, namespace: settings.temporal.namespace });
  return { client, close: () => connection.close() };
}
