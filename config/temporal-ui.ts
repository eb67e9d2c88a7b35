import type { Settings } from './settings.js';

/** The Temporal UI page of a workflow (UI port: SHELFSSL_TEMPORAL_UI_PORT, else Temporal's port + 1000). */
export function temporalUiUrl(
  settings: Settings,
  workflowId: string,
  env: NodeJS.ProcessEnv = process.env,
): string {
  const [host = '127.0.0.1', port = '7233'] = settings.temporal.address.split(':');
  const uiPort = env.SHELFSSL_TEMPORAL_UI_PORT ?? String(Number(port) + 1000);
  const ns = encodeURIComponent(settings.temporal.namespace);
  return `http://${host}:${uiPort}/namespaces/${ns}/workflows/${encodeURIComponent(workflowId)}`;
}
