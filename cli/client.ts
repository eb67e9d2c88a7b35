import { Client, Connection } from '@temporalio/client';
import type { Settings } from '../config/settings.js';

/** A Temporal client for the configured namespace; close the connection when done. */
export async function connectClient(
  settings: Settings,
): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect({ address: settings.temporal.address });
  const client = new Client({ connection, namespace: settings.temporal.namespace });
  return { client, close: () => connection.close() };
}
